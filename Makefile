# The two quick-start commands, and the targets behind them.
#   make run    install what is missing, build, start the server on ./openalb-data (SQLite)
#   make test   install what is missing, build release and sanitizer builds, run every test
# Everything else: make bench, make format, make format-check.

JOBS ?= $(shell nproc)
ARGS ?=
SDK_DIR := tests/sdk

.PHONY: all setup build run test test-release test-asan sdk-deps bench format format-check clean

all: build

setup:
	@bash scripts/setup

build/release/Makefile: CMakeLists.txt
	cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release

build/asan/Makefile: CMakeLists.txt
	cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
	  -DOPENALB_SANITIZE=ON -DOPENALB_BUILD_BENCH=OFF

build: setup build/release/Makefile
	cmake --build build/release -j $(JOBS)

run: build
	./build/release/openalb serve $(ARGS)

$(SDK_DIR)/node_modules/.package-lock.json: $(SDK_DIR)/package-lock.json
	cd $(SDK_DIR) && npm ci --no-audit --no-fund --loglevel=error

sdk-deps: setup $(SDK_DIR)/node_modules/.package-lock.json

test: setup sdk-deps format-check test-asan test-release

test-asan: build/asan/Makefile
	cmake --build build/asan -j $(JOBS)
	cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j 2

test-release: build
	cd build/release && ctest --output-on-failure -j 2

bench: build
	bash bench/run
	bash bench/run-certificates
	bash bench/run-tls

CXX_FILES = find src tests bench -name node_modules -prune -o \( -name '*.h' -o -name '*.cc' \) -print

format:
	$(CXX_FILES) | xargs clang-format -i

format-check:
	$(CXX_FILES) | xargs clang-format --dry-run -Werror

clean:
	rm -rf build

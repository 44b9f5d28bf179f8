# The two quick-start commands, and the targets behind them.
#   make run    install what is missing, build, start the server on ./openalb-data (SQLite)
#   make test   install what is missing, build release and sanitizer builds, run every test,
#               then run each fuzz target for FUZZ_SECONDS (60)
# Everything else: make fuzz, make bench, make soak, make format, make format-check.

JOBS ?= $(shell nproc)
ARGS ?=
SDK_DIR := tests/sdk

.PHONY: all setup build run test test-release test-asan sdk-deps fuzz bench soak format format-check clean

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

test: setup sdk-deps format-check test-asan test-release fuzz

test-asan: build/asan/Makefile
	cmake --build build/asan -j $(JOBS)
	cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j 2

test-release: build
	cd build/release && ctest --output-on-failure -j 2

# libFuzzer targets (fuzz/), built with Debian's clang 16 and run FUZZ_SECONDS each.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := endpoint_fuzz signature_fuzz policy_fuzz pem_fuzz

build/fuzz/Makefile: CMakeLists.txt fuzz/CMakeLists.txt
	cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-16 \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DOPENALB_FUZZ=ON -DOPENALB_BUILD_TESTS=OFF \
	  -DOPENALB_BUILD_BENCH=OFF

fuzz: setup build/fuzz/Makefile
	cmake --build build/fuzz -j $(JOBS) --target $(FUZZ_TARGETS)
	bash fuzz/run $(FUZZ_SECONDS)

bench: build
	bash bench/run
	bash bench/run-certificates
	bash bench/run-tls

# Ten minutes of mixed signed traffic (after a 300 s warm-up); RSS and p99 each minute.
soak: build
	bash bench/run-soak

CXX_FILES = find src tests bench fuzz -name node_modules -prune -o \( -name '*.h' -o -name '*.cc' \) -print

format:
	$(CXX_FILES) | xargs clang-format -i

format-check:
	$(CXX_FILES) | xargs clang-format --dry-run -Werror

clean:
	rm -rf build

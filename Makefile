# The two quick-start commands, and the targets behind them.
#   make run    install what the server needs, build, start it on ./openalb-data (SQLite)
#   make test   install what the tests need, build release and sanitizer builds, run every
#               test, then run each fuzz target for FUZZ_SECONDS (60)
# Everything else installs what it needs too: make fuzz, make bench, make soak, make format,
# make format-check.

JOBS ?= $(shell nproc)
ARGS ?=
SDK_DIR := tests/sdk

.PHONY: all setup setup-test setup-bench build run test test-release test-asan sdk-deps fuzz bench soak format format-check clean

all: build

setup:
	@bash scripts/setup

setup-test:
	@bash scripts/setup test

setup-bench:
	@bash scripts/setup bench

build/release/Makefile: CMakeLists.txt
	cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release

# -g1: line tables only, all a sanitizer's stack trace needs (full -g doubled the link and
# slowed every compile).
build/asan/Makefile: CMakeLists.txt
	cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
	  -DOPENALB_SANITIZE=ON -DOPENALB_BUILD_BENCH=OFF

build: setup build/release/Makefile
	cmake --build build/release -j $(JOBS)

run: build
	./build/release/openalb serve $(ARGS)

$(SDK_DIR)/node_modules/.package-lock.json: $(SDK_DIR)/package-lock.json
	cd $(SDK_DIR) && npm ci --no-audit --no-fund --loglevel=error

# The official Node SDKs, for the tests and for the benchmarks' clients.
sdk-deps: $(SDK_DIR)/node_modules/.package-lock.json

test: setup-test sdk-deps format-check test-asan test-release fuzz

test-asan: setup-test sdk-deps build/asan/Makefile
	cmake --build build/asan -j $(JOBS)
	cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j 2

test-release: setup-test sdk-deps build
	cd build/release && ctest --output-on-failure -j 2

# libFuzzer targets (fuzz/), built with Debian's clang 16 and run FUZZ_SECONDS each.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := endpoint_fuzz signature_fuzz policy_fuzz pem_fuzz

build/fuzz/Makefile: CMakeLists.txt fuzz/CMakeLists.txt
	cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-16 \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DOPENALB_FUZZ=ON -DOPENALB_BUILD_TESTS=OFF \
	  -DOPENALB_BUILD_BENCH=OFF

fuzz: setup-test build/fuzz/Makefile
	cmake --build build/fuzz -j $(JOBS) --target $(FUZZ_TARGETS)
	bash fuzz/run $(FUZZ_SECONDS)

bench: setup-bench build sdk-deps
	bash bench/run
	bash bench/run-certificates
	bash bench/run-tls
	bash bench/run-h3
	bash bench/run-observability
	bash bench/run-startup
	bash bench/run-fleet
	bash bench/run-rules
	bash bench/run-h2
	UPSTREAM=grpc bash bench/run-h2
	bash bench/run-health

# Ten minutes of mixed signed traffic (after a 300 s warm-up); RSS and p99 each minute.
soak: setup-bench build sdk-deps
	bash bench/run-soak

CXX_FILES = find src tests bench fuzz -name node_modules -prune -o \( -name '*.h' -o -name '*.cc' \) -print

format: setup-test
	$(CXX_FILES) | xargs clang-format -i

format-check: setup-test
	$(CXX_FILES) | xargs clang-format --dry-run -Werror

clean:
	rm -rf build

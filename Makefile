# The front door. Every target first installs what is missing (scripts/install-deps).
#   make run    build (release) and start the main job on embedded defaults
#   make test   build (dev: -O2, warnings as errors) and run every test
#   make bench  build (release) and run the benchmark programs (each prints ratios vs its peer)
#   make fuzz   build the libFuzzer targets (clang) and run each for FUZZ_SECONDS
#   make asan   run the tests under AddressSanitizer + UBSan
#   make format clang-format every source file
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 30
CTEST_ARGS ?=

.PHONY: deps build run test bench fuzz asan format clean

deps:
	@./scripts/install-deps

build: deps
	cmake --preset release >/dev/null
	cmake --build build/release -j $(JOBS)

run: build
	./scripts/run-main build/release/apps/mhub/mhub

test: deps
	cmake --preset dev >/dev/null
	cmake --build build/dev -j $(JOBS)
	cd build/dev && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

bench: build
	./scripts/run-benches build/release/bench

fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build build/fuzz -j $(JOBS)
	./scripts/run-fuzzers build/fuzz/fuzz $(FUZZ_SECONDS)

asan: deps
	cmake --preset asan >/dev/null
	cmake --build build/asan -j $(JOBS)
	cd build/asan && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf build

# The front door. Every target first installs what is missing (scripts/install-deps).
#   make run    build (release) and start the main job on embedded defaults (and push the Brown
#               corpus datasets into it once, scripts/make-brown-datasets)
#   make test   build (dev: -O2, warnings as errors) and run every test
#   make bench  build (release) and run the benchmark programs (each prints ratios vs its peer)
#   make fuzz   build the libFuzzer targets (clang) and run each for FUZZ_SECONDS
#               (FUZZERS="tokenizers_load ..." runs only those)
#   make test-cpu  the tests on an emulated AVX2-only CPU (QEMU; EMU_CPU=EPYC-Milan), for issue 18
#   make asan   run the tests under AddressSanitizer + UBSan
#   make asan-ci  the part of make asan that CI runs: the base, formats, tokenizers, hub, datasets and server
#               libraries only (no compute kernels built), their tests and kept fuzz corpora
#   make format clang-format every source file
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 30
FUZZERS ?=
CTEST_ARGS ?=
ASAN_CI_LIBS = base;formats;tokenizers;hub;datasets;server
# Tokenizers, formats, server storage and HTTP suites, and the corpus replays of every fuzzer built.
ASAN_CI_TESTS ?= ^(tokenizers_|chat_|decoder_|formats_|server_storage_|server_http_|server_lfs_|.*_fuzzer_corpus$$)
# The HF-oracle comparison (thousands of encodings against npm tokenizers) runs in make test; under
# ASan it takes over 4 minutes of CI's 2 cores, so asan-ci leaves it out.
ASAN_CI_EXCLUDE ?= ^tokenizers_oracle_test$$

.PHONY: deps build run test test-cpu bench fuzz fuzz-build asan asan-ci asan-ci-build format clean

deps:
	@./scripts/install-deps

build: deps
	cmake --preset release >/dev/null
	cmake --build build/release -j $(JOBS)

# Once the hub answers, the Brown corpus datasets are pushed into it in the background (once: a
# hub that holds them is left alone); a problem there is a warning line, never a failed make run.
run: build
	@./scripts/make-brown-datasets --push --mhub build/release/apps/mhub/mhub --data ./data \
	  --endpoint http://127.0.0.1:$${PORT:-8080} --wait 120 & \
	./scripts/run-main build/release/apps/mhub/mhub

test: deps
	cmake --preset dev >/dev/null
	cmake --build build/dev -j $(JOBS)
	cd build/dev && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The dev build's tests on an emulated CPU (QEMU user mode; default EPYC-Milan: AVX2 + FMA, no
# AVX-512): the AVX2-only machine's paths, on any machine. Slow (TCG); CTEST_ARGS="-R core_|models_".
EMU_CPU ?= EPYC-Milan
test-cpu: deps
	cmake --preset dev >/dev/null
	cmake --build build/dev -j $(JOBS)
	./scripts/run-tests-as-cpu build/dev --cpu $(EMU_CPU) -j $(JOBS) $(CTEST_ARGS)

bench: build
	./scripts/run-benches build/release/bench

fuzz-build: deps
	cmake --preset fuzz >/dev/null
	cmake --build build/fuzz --target fuzzers -j $(JOBS)

fuzz: fuzz-build
	./scripts/run-fuzzers build/fuzz/fuzz $(FUZZ_SECONDS) $(FUZZERS)

asan: deps
	cmake --preset asan >/dev/null
	cmake --build build/asan -j $(JOBS)
	cd build/asan && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

asan-ci-build: deps
	cmake --preset asan -B build/asan-ci -DMHUB_ONLY="$(ASAN_CI_LIBS)" >/dev/null
	cmake --build build/asan-ci -j $(JOBS)

asan-ci: asan-ci-build
	cd build/asan-ci && ctest --output-on-failure -j $(JOBS) -R '$(ASAN_CI_TESTS)' -E '$(ASAN_CI_EXCLUDE)' $(CTEST_ARGS)

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf build

# promptline — make targets. `make demo` and `make test` do all the set-up on a fresh clone.
SWIFT ?= swift
BIN_DIR = $(shell $(SWIFT) build --show-bin-path 2>/dev/null)
RELEASE_BIN_DIR = $(shell $(SWIFT) build -c release --show-bin-path 2>/dev/null)

.PHONY: build test demo bench clean tsan asan fuzz format lint

build:
	$(SWIFT) build

# Suites run in parallel (Swift Testing's default); a suite whose tests must not overlap is `.serialized`.
test:
	$(SWIFT) build --build-tests
	PROMPTLINE_BIN_DIR=$(BIN_DIR) $(SWIFT) test --skip-build

# swift-format (in the toolchain), configured by .swift-format: `make format` rewrites, `make lint` checks (CI runs it).
FORMAT_PATHS = Sources Tests Package.swift Benchmarks/Package.swift Benchmarks/Benchmarks

format:
	$(SWIFT) format format -i -r --configuration .swift-format $(FORMAT_PATHS)

lint:
	$(SWIFT) format lint -r --strict --configuration .swift-format $(FORMAT_PATHS)

demo: build
	PROMPTLINE_BIN_DIR=$(BIN_DIR) scripts/demo.sh

# The microbenchmarks (Benchmarks/, a package of their own, ordo-one/benchmark), then the job and scenario figures.
bench:
	$(SWIFT) package --package-path Benchmarks benchmark --no-progress
	$(SWIFT) build -c release
	PROMPTLINE_BIN_DIR=$(RELEASE_BIN_DIR) scripts/bench.sh

# Sanitizers: the test suites built with ThreadSanitizer / AddressSanitizer, each in its own scratch path.
# SANITIZER_TESTS picks suites (a --filter pattern); empty runs every suite, integration tests included.
SANITIZER_TESTS ?=
SANITIZER_FILTER = $(if $(SANITIZER_TESTS),--filter '$(SANITIZER_TESTS)',)

tsan:
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	PROMPTLINE_BIN_DIR=$$($(SWIFT) build --sanitize=thread --scratch-path .build-tsan --show-bin-path) \
	  TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/Tests/tsan-suppressions.txt" $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan --no-parallel $(SANITIZER_FILTER)

asan:
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	PROMPTLINE_BIN_DIR=$$($(SWIFT) build --sanitize=address --scratch-path .build-asan --show-bin-path) \
	  ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan --no-parallel $(SANITIZER_FILTER)

# libFuzzer over the input path (gzip + JSONL reader, record parser), seeded from Fuzz/corpus.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xlinker -u -Xlinker LLVMFuzzerRunDriver -Xlinker --export-dynamic

fuzz:
	$(SWIFT) build --product promptline-fuzz --scratch-path .build-fuzz $(FUZZ_FLAGS)
	mkdir -p .build-fuzz/corpus
	$$($(SWIFT) build --scratch-path .build-fuzz $(FUZZ_FLAGS) --show-bin-path)/promptline-fuzz \
	  -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 .build-fuzz/corpus Fuzz/corpus

clean:
	rm -rf .build .build-tsan .build-asan .build-fuzz Benchmarks/.build demo-out bench-out

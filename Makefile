# promptline — make targets. `make demo` and `make test` do all the set-up on a fresh clone.
SWIFT ?= swift
BIN_DIR = $(shell $(SWIFT) build --show-bin-path 2>/dev/null)
RELEASE_BIN_DIR = $(shell $(SWIFT) build -c release --show-bin-path 2>/dev/null)

.PHONY: build test demo bench clean

build:
	$(SWIFT) build

test:
	$(SWIFT) build --build-tests
	PROMPTLINE_BIN_DIR=$(BIN_DIR) $(SWIFT) test --skip-build --no-parallel

demo: build
	PROMPTLINE_BIN_DIR=$(BIN_DIR) scripts/demo.sh

bench:
	$(SWIFT) build -c release
	PROMPTLINE_BIN_DIR=$(RELEASE_BIN_DIR) scripts/bench.sh

clean:
	rm -rf .build demo-out bench-out

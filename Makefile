# Boxoffice: common tasks. The two that matter are `make run` and `make test`.
JOBS ?= $(shell nproc)
DATA ?= ./data
ifeq ($(CI),true)
  export BOXOFFICE_WERROR := ON
endif

.PHONY: run test deps deps-test build build-% test-release test-asan test-tsan bench format clean

run: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS) --target boxoffice
	./build/release/boxoffice serve --data $(DATA) --demo

test: deps-test test-release test-asan test-tsan
	@echo "make test: all suites passed"

deps:
	@scripts/install-deps.sh

deps-test:
	@scripts/install-deps.sh --test

build: build-release

build-%:
	cmake --preset $* >/dev/null
	cmake --build --preset $* -j $(JOBS)

test-release: build-release
	ctest --preset release -j $(JOBS)

test-asan: build-asan
	ctest --preset asan -j $(JOBS)

# The ThreadSanitizer build runs the multi-threaded tests only (label "concurrency").
test-tsan: build-tsan
	ctest --preset tsan -j $(JOBS)

bench: deps build-release
	./build/release/boxoffice_bench_core --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf build

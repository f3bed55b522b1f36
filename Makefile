# needle: the two commands that matter are `make demo` and `make test`.
BUILD      ?= build
BUILD_SAN  ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

.PHONY: all deps build demo test test-asan bench fuzz fuzz-build fuzz-smoke clean
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 120

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja: CMakeLists.txt
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: deps $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j $(JOBS)

DEMO := $(BUILD)/demo
# Runs the main job on the bundled samples: a throw-away bank with one known
# hash, a scan of samples/ into a case folder, and the case report.
demo: build
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	@$(BUILD)/needle bank create DEMO_KNOWN --description "demo: the PDQ of samples/bridge.jpg" --store $(DEMO)/store >/dev/null
	@$(BUILD)/needle bank import DEMO_KNOWN config/demo-bank.txt --store $(DEMO)/store >/dev/null
	$(BUILD)/needle scan samples/ --case $(DEMO)/case --store $(DEMO)/store || test $$? -eq 1
	$(BUILD)/needle report --case $(DEMO)/case --format html --output $(DEMO)/report.html
	$(BUILD)/needle report --case $(DEMO)/case --format csv | cut -d, -f1-3,10 | column -t -s,
	@echo "HTML report: $(DEMO)/report.html (thumbnails blurred; click to reveal)"

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# AddressSanitizer + UndefinedBehaviorSanitizer build of everything, all tests.
test-asan: deps
	@cmake -S . -B $(BUILD_SAN) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEEDLE_SANITIZE=ON -DNEEDLE_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(BUILD_SAN) -j $(JOBS)
	cd $(BUILD_SAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

bench: build
	bench/run-all $(BUILD)

# libFuzzer (clang) on the C2PA/JUMBF/CBOR/metadata parsers, the image
# decoders and the hash-list parsers, seeded from the test fixtures. Crashes are saved in
# $(BUILD_FUZZ)/crashes.
#   make fuzz        explores for FUZZ_SECONDS per target (random seed; the
#                    corpus grows between runs)
#   make fuzz-smoke  what CI runs: FUZZ_RUNS inputs per target from the seeds
#                    alone, with a fixed seed, so a pass here is a pass in CI
FUZZ_RUNS ?= 40000
FUZZ_SEED ?= 1
FUZZ_FLAGS := -rss_limit_mb=2048 -max_len=400000 -artifact_prefix=$(BUILD_FUZZ)/crashes/

fuzz-build: deps
	@cmake -S . -B $(BUILD_FUZZ) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DNEEDLE_FUZZ=ON -DNEEDLE_BUILD_TESTS=OFF -DNEEDLE_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(BUILD_FUZZ) -j $(JOBS) --target c2pa_fuzzer decode_fuzzer list_fuzzer
	@mkdir -p $(BUILD_FUZZ)/crashes

# $(1): corpus folder to fill with the seeds.
define fuzz_seeds
	@mkdir -p $(1)-c2pa $(1)-decode $(1)-list
	@cp tests/data/c2pa/*.jpg samples/*.heic samples/*.webp samples/*.png $(1)-c2pa/
	@cp samples/*.* tests/data/pdq/synthetic/*.png $(1)-decode/
	@cp tests/data/hashlists/* $(1)-list/
endef

fuzz: fuzz-build
	$(call fuzz_seeds,$(BUILD_FUZZ)/corpus)
	$(BUILD_FUZZ)/c2pa_fuzzer -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS) $(BUILD_FUZZ)/corpus-c2pa
	$(BUILD_FUZZ)/decode_fuzzer -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS) $(BUILD_FUZZ)/corpus-decode
	$(BUILD_FUZZ)/list_fuzzer -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS) $(BUILD_FUZZ)/corpus-list

fuzz-smoke: fuzz-build
	@rm -rf $(BUILD_FUZZ)/smoke-c2pa $(BUILD_FUZZ)/smoke-decode $(BUILD_FUZZ)/smoke-list
	$(call fuzz_seeds,$(BUILD_FUZZ)/smoke)
	$(BUILD_FUZZ)/c2pa_fuzzer -runs=$(FUZZ_RUNS) -seed=$(FUZZ_SEED) $(FUZZ_FLAGS) $(BUILD_FUZZ)/smoke-c2pa
	$(BUILD_FUZZ)/decode_fuzzer -runs=$(FUZZ_RUNS) -seed=$(FUZZ_SEED) $(FUZZ_FLAGS) $(BUILD_FUZZ)/smoke-decode
	$(BUILD_FUZZ)/list_fuzzer -runs=$(FUZZ_RUNS) -seed=$(FUZZ_SEED) $(FUZZ_FLAGS) $(BUILD_FUZZ)/smoke-list

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)

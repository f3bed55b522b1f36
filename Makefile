# needle: the two commands that matter are `make demo` and `make test`.
BUILD      ?= build
BUILD_SAN  ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

.PHONY: all deps build demo test test-asan bench fuzz clean
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

# libFuzzer (clang) on the C2PA/JUMBF/CBOR/metadata parsers and the image
# decoders, FUZZ_SECONDS each, seeded from the test fixtures. Crashes are
# saved in $(BUILD_FUZZ)/crashes.
fuzz: deps
	@cmake -S . -B $(BUILD_FUZZ) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DNEEDLE_FUZZ=ON -DNEEDLE_BUILD_TESTS=OFF -DNEEDLE_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(BUILD_FUZZ) -j $(JOBS) --target c2pa_fuzzer decode_fuzzer
	@mkdir -p $(BUILD_FUZZ)/corpus-c2pa $(BUILD_FUZZ)/corpus-decode $(BUILD_FUZZ)/crashes
	@cp tests/data/c2pa/*.jpg $(BUILD_FUZZ)/corpus-c2pa/
	@cp samples/*.* tests/data/pdq/synthetic/*.png $(BUILD_FUZZ)/corpus-decode/
	$(BUILD_FUZZ)/c2pa_fuzzer -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -max_len=400000 \
	  -artifact_prefix=$(BUILD_FUZZ)/crashes/ $(BUILD_FUZZ)/corpus-c2pa
	$(BUILD_FUZZ)/decode_fuzzer -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -max_len=400000 \
	  -artifact_prefix=$(BUILD_FUZZ)/crashes/ $(BUILD_FUZZ)/corpus-decode

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)

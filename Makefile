# needle: the two commands that matter are `make demo` and `make test`.
BUILD      ?= build
BUILD_SAN  ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

.PHONY: all deps build demo test test-asan bench fuzz clean

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

clean:
	rm -rf $(BUILD) $(BUILD_SAN)

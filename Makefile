# objstream: build, run, test and measure.
#
#   make run     install what is missing, build, serve config/objstream.json
#   make test    install what is missing, build, run every test (under 15 minutes)
#   make bench   the full benchmark matrix (release build); make bench-quick: one minute
#   make soak    long-running traffic; make fuzz: libFuzzer on the decoder, header codec and config (FUZZ_SECONDS each)

SWIFT        ?= swift
CONFIG       ?= config/objstream.json
DEB_PACKAGES := libmicrohttpd-dev liblz4-dev lz4 libxxhash-dev nettle-dev libisal-dev libsodium-dev libgnutls28-dev gnutls-bin xxhash pkg-config curl prometheus iperf3 iproute2 procps python3-yaml systemd util-linux mount openssl
RELEASE_BIN  := .build/release/objstream
BENCH_BIN    := .build/release/objstream-bench
DEBUG_BIN    := .build/debug/objstream
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 60
FUZZ_TARGETS := stream header config

.PHONY: all deps build release run test bench bench-quick soak fuzz fuzz-build fuzz-smoke clean

all: build

# Installs only what is missing, so a second run does nothing.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

run: release
	$(RELEASE_BIN) serve --config $(CONFIG)

test: build
	OBJSTREAM_BIN=$(CURDIR)/$(DEBUG_BIN) $(SWIFT) test --parallel --num-workers 2
	$(MAKE) fuzz-smoke

bench: release
	$(BENCH_BIN) --config $(CONFIG) --out bench-results/bench.json

bench-quick: release
	$(BENCH_BIN) --quick --config $(CONFIG) --out bench-results/bench-quick.json

soak: build
	OBJSTREAM_SOAK=1 OBJSTREAM_SOAK_SECONDS=$${OBJSTREAM_SOAK_SECONDS:-600} OBJSTREAM_BIN=$(CURDIR)/$(DEBUG_BIN) $(SWIFT) test --filter SoakTests

# The libFuzzer targets, sanitized, in a scratch path of their own (the debug build stays as is).
fuzz-build: deps
	@mkdir -p .build/fuzz-logs
	@for t in $(FUZZ_TARGETS); do \
	  echo "building objstream-fuzz-$$t (-sanitize=fuzzer,address) into .build/fuzz"; \
	  $(SWIFT) build --scratch-path .build/fuzz -c debug -Xswiftc -sanitize=fuzzer,address \
	    -Xswiftc -DOBJSTREAM_LIBFUZZER --product objstream-fuzz-$$t >.build/fuzz-logs/build-$$t.log 2>&1 \
	    || { grep -v "Cannot export local symbol" .build/fuzz-logs/build-$$t.log | tail -40; exit 1; }; \
	done

# Each target for FUZZ_SECONDS, two at a time; a crash fails it, naming the crashing input.
fuzz: fuzz-build
	Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# What make test runs: each target for FUZZ_SMOKE_SECONDS.
fuzz-smoke: fuzz-build
	Fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf .build bench-results

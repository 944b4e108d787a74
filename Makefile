# auditsieve: two commands on a fresh Debian machine.
#   make run    install C libraries if missing, build release, serve on the embedded default config
#   make test   install what the tests need (incl. Debian's rsyslog), build, run every test

SWIFT      ?= swift
PREFIX     ?= /usr/local
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BUILD_PKGS := libpcre2-dev libzstd-dev pkg-config
TEST_PKGS  := rsyslog bsdutils util-linux python3
RELEASE_BIN := .build/release/auditsieve

.PHONY: all deps test-deps build release run test test-unit bench bench-e2e install clean

all: release

# Installs the listed Debian packages that are not installed yet (apt-get update only when needed).
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_install,$(BUILD_PKGS))

test-deps: deps
	$(call apt_install,$(TEST_PKGS))

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product auditsieve

run: release
	$(RELEASE_BIN) serve

# The end-to-end tests drive the release binary (one release build shared by every scenario).
test: test-deps release
	AUDITSIEVE_BINARY=$(CURDIR)/$(RELEASE_BIN) $(SWIFT) test

test-unit: deps
	$(SWIFT) test --skip EndToEndTests

bench-e2e: release
	scripts/bench-e2e

bench: deps
	ENABLE_BENCHMARKS=1 $(SWIFT) package --disable-sandbox benchmark --target ParserBenchmarks

install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/auditsieve

clean:
	rm -rf .build

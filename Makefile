# auditsieve: two commands on a fresh Debian machine.
#   make run    install C libraries if missing, build release, serve on the embedded default config
#   make test   install what the tests need (incl. Debian's rsyslog), build, run every test

SWIFT      ?= swift
PREFIX     ?= /usr/local
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BUILD_PKGS := libpcre2-dev libzstd-dev librdkafka-dev pkg-config
TEST_PKGS  := rsyslog rsyslog-gnutls rsyslog-relp gcc openssl curl bsdutils util-linux python3 logrotate systemd prometheus mariadb-server
RELEASE_BIN := .build/release/auditsieve

.PHONY: all deps test-deps build release run test test-unit bench bench-gates bench-e2e install clean fuzz-build fuzz fuzz-ci fuzz-seed fuzz-merge

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

# One build for everything `make test` runs: release with -enable-testing (the test bundle's
# @testable imports need it), so the dependencies are compiled once, and the end-to-end tests drive
# the release binary of that same build. (`make release` builds without -enable-testing, so going
# from one to the other rebuilds.)
# AUDITSIEVE_CHECKS turns on invariant checks that debug builds have (no spool I/O on an event
# loop), so the tests and the end-to-end binary run with them.
TEST_BUILD := -c release -Xswiftc -enable-testing -Xswiftc -DAUDITSIEVE_CHECKS

test: test-deps
	$(SWIFT) build $(TEST_BUILD) --build-tests
	AUDITSIEVE_BINARY=$(CURDIR)/$(RELEASE_BIN) $(SWIFT) test $(TEST_BUILD) --skip-build

test-unit: deps
	$(SWIFT) test --skip EndToEndTests

bench-e2e: release
	scripts/bench-e2e

# libFuzzer targets for the parsers (README "Fuzzing"), a package of their own in Fuzz/, built with
# -sanitize=fuzzer,address into .build-fuzz/ (the main .build/ is never touched). `make fuzz` runs
# each target FUZZ_SECONDS, `make fuzz-ci` (CI, after `make test`) FUZZ_CI_SECONDS; FUZZ_TARGETS picks
# some (syslog-frames audit-records capture-files sql-tables config http-router). A finding fails the
# run, leaves its input in Fuzz/artifacts/TARGET/ and prints how to reproduce it.
FUZZ_SECONDS    ?= 120
FUZZ_CI_SECONDS ?= 20
FUZZ_TARGETS    ?=

fuzz-build: deps
	SWIFT=$(SWIFT) Fuzz/run build

fuzz: fuzz-build
	SWIFT=$(SWIFT) Fuzz/run fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-ci: fuzz-build
	SWIFT=$(SWIFT) Fuzz/run fuzz $(FUZZ_CI_SECONDS) $(FUZZ_TARGETS)

# Rebuilds the committed corpus Fuzz/corpus/ from the test fixtures (what adds coverage is kept).
fuzz-seed: fuzz-build
	$(call apt_install,python3)
	SWIFT=$(SWIFT) Fuzz/run seed

# Adds the inputs that `make fuzz` found and that add coverage to the committed corpus.
fuzz-merge: fuzz-build
	SWIFT=$(SWIFT) Fuzz/run merge

# The parser microbenchmarks (their own build directory, so `make test`'s build is not redone),
# then the allocation gates: the per-record path's mallocs (message -> event with tables -> JSON
# bytes, per dialect; LF frame decoding; a JSON record whose SQL holds escapes) against
# Benchmarks/Thresholds. More mallocs than the threshold fail `make bench`; fewer fail too, as
# "BETTER": lower the gate with `make bench-gates`.
BENCH = ENABLE_BENCHMARKS=1 $(SWIFT) package --disable-sandbox --scratch-path .build-bench
BENCH_GATED = --target ParserBenchmarks --filter 'Message to event with tables.*' --filter 'Frame decoding.*' \
	--filter 'Percona JSON record parse, SQL with escapes.*' \
	--path $(CURDIR)/Benchmarks/Thresholds --no-progress

bench: deps
	$(BENCH) benchmark --target ParserBenchmarks
	$(BENCH) benchmark thresholds check $(BENCH_GATED)

# Rewrites the gates from a run of this tree (mallocCountTotal only).
bench-gates: deps
	SWIFT=$(SWIFT) scripts/bench-gates

# Installs the binary to $(PREFIX)/bin, the systemd unit, the logrotate snippet and the example
# config as /etc/auditsieve/auditsieve.yml (an existing one is never overwritten), and creates the
# system user auditsieve if missing (only when DESTDIR is empty: a staged install for a package
# leaves that to the package's scripts). It does not start or enable anything:
#   systemctl daemon-reload && systemctl enable --now auditsieve
# The unit runs /usr/local/bin/auditsieve; with another PREFIX the installed unit is rewritten.
SYSCONFDIR ?= /etc
UNITDIR    ?= /etc/systemd/system
install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/logrotate.d $(DESTDIR)$(SYSCONFDIR)/auditsieve
	install -m 0755 $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/auditsieve
	sed 's#/usr/local/bin/auditsieve#$(PREFIX)/bin/auditsieve#g' packaging/auditsieve.service > $(DESTDIR)$(UNITDIR)/auditsieve.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/auditsieve.service
	install -m 0644 packaging/auditsieve.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/auditsieve
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/auditsieve/auditsieve.yml ]; then \
		echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/auditsieve/auditsieve.yml (new example: auditsieve.yml.example)"; \
		install -m 0644 config/auditsieve.example.yml $(DESTDIR)$(SYSCONFDIR)/auditsieve/auditsieve.yml.example; \
	else \
		install -m 0644 config/auditsieve.example.yml $(DESTDIR)$(SYSCONFDIR)/auditsieve/auditsieve.yml; \
	fi
	@if [ -z "$(DESTDIR)" ] && ! id auditsieve >/dev/null 2>&1; then \
		echo "creating system user auditsieve"; \
		$(SUDO) useradd --system --user-group --home-dir /var/lib/auditsieve --no-create-home \
			--shell /usr/sbin/nologin --comment "auditsieve daemon" auditsieve; \
	fi

clean:
	rm -rf .build .build-fuzz

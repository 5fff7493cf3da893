# Two commands do everything on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
QILING := .venv-qiling/bin/qltool
ARCH ?= ppc64le

.PHONY: run test test-slow fuzz lint format bench tools go gotest gotest-ci clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

## run: the demo — hello world on every arch folder found, the arches, and atomicor8 explained on all
run: $(STAMP)
	@for a in $$($(PY) -c 'from emu import arch; print(*arch.names())'); do \
	  $(VENV)/bin/emu run $$($(VENV)/bin/emu examples hello --arch $$a) --arch $$a || exit 1; done
	@$(VENV)/bin/emu arches
	@$(VENV)/bin/emu explain atomicor8 --arch all

## test: the default suite (fast; slow sweeps are marked and run by CI)
test: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

## test-slow: the slow sweeps only (CI runs them after `make test`)
test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow || [ $$? -eq 5 ]

## fuzz: the long fuzz campaign of every input path (tests/fuzz/README.md); CI's slow stage runs it
fuzz: $(STAMP)
	EMU_FUZZ_PROFILE=long $(PY) -m pytest -q -m fuzz tests/fuzz

## lint: ruff (style) and mypy (types; pyproject.toml [tool.mypy] says what it checks)
lint: $(STAMP)
	$(VENV)/bin/ruff check emu tests tools
	$(VENV)/bin/ruff format --check emu tests tools
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format emu tests tools
	$(VENV)/bin/ruff check --fix emu tests tools

## tools: the Debian tools the differential, gdb, timing and Go tests use (CI installs them)
TOOL_COMMANDS := x86_64-linux-gnu-as arm-linux-gnueabihf-as powerpc64-linux-gnu-as \
	powerpc64le-linux-gnu-as aarch64-linux-gnu-as riscv64-linux-gnu-as qemu-x86_64 qemu-arm qemu-ppc64 qemu-ppc64le \
	qemu-aarch64 qemu-riscv64 \
	gdb-multiarch llvm-mca llvm-mca-19 llvm-mc-19 ld.lld-19 go
TOOL_PACKAGES := binutils-x86-64-linux-gnu binutils-arm-linux-gnueabihf binutils-powerpc64-linux-gnu \
	binutils-powerpc64le-linux-gnu binutils-aarch64-linux-gnu binutils-riscv64-linux-gnu qemu-user gdb-multiarch \
	llvm llvm-19 lld-19 golang-go
tools:
	@missing=""; for c in $(TOOL_COMMANDS); do command -v $$c >/dev/null || missing="$$missing $$c"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian tools (missing:$$missing)"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(TOOL_PACKAGES); \
	fi

## go: the Go programs of tests/go as static binaries, build/go/<arch>/<name> (Debian's Go, via make tools)
go: $(STAMP) tools
	cd tests && ../$(PY) gotools.py

## gotest: Go's standard-library test binaries under qemu-user and emu, the table of issue 13
gotest: $(STAMP) tools
	$(PY) tools/gotest.py $(GOTEST_ARGS)

## gotest-ci: the harness's CI subset (three small packages on all four arches, a few minutes)
gotest-ci: $(STAMP) tools
	$(PY) tools/gotest.py --ci

## bench: guest instructions/s of emu (cycles off/on) vs bare unicorn and qemu-user, then the real
## programs (Go std test binaries) under emu vs qemu-user, each table in one run (docs/performance.md)
bench: $(STAMP) $(QILING) tools
	$(VENV)/bin/emu bench
	$(PY) tools/gotest.py --bench

# Qiling (the peer emu is measured against) in its own venv: it pins its own unicorn.
$(QILING):
	python3 -m venv .venv-qiling
	.venv-qiling/bin/pip install -q qiling==1.4.6

clean:
	rm -rf $(VENV) .pytest_cache

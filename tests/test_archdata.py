"""Every arch folder found holds what the tests need of it (docs/adding-an-architecture.md).

The tests read per-arch programs, fixtures and expected values from the arch's own folder
(tests/archdata.py). This checks, for each arch found, that every one of them is there (in its
folder or its base's) and that its expect.toml has no key the tests do not read (a misspelt key
would otherwise hide behind the base's value): a new arch learns everything it is missing from
one test, each failure naming the arch and the file or key.
"""

from __future__ import annotations

import dataclasses
import tomllib

import archdata
import pytest
from conftest import ARCHES

from emu import arch as arches


@pytest.mark.parametrize("arch", ARCHES)
def test_the_arch_folder_has_every_test_input(arch: str) -> None:
    missing = [relative for relative in archdata.INPUTS if arches.get(arch).find(relative) is None]
    assert not missing, f"{arch}: missing in emu/data/arch/{arch}/ (and its base's): {', '.join(missing)}"


@pytest.mark.parametrize("arch", ARCHES)
def test_the_arch_folder_has_every_expected_value(arch: str) -> None:
    missing = [key for key in archdata.EXPECTED if not archdata.lookup(arch, key)[0]]
    where = f"emu/data/arch/{arch}/{archdata.EXPECT_FILE}"
    assert not missing, f"{arch}: no {', '.join(missing)} in {where} (nor its base's)"


@pytest.mark.parametrize("arch", ARCHES)
def test_expect_toml_has_only_keys_the_tests_read(arch: str) -> None:
    path = arches.get(arch).folders[0] / archdata.EXPECT_FILE
    tables = tomllib.loads(path.read_text()) if path.is_file() else {}
    keys = [f"{table}.{key}" for table, values in tables.items() for key in values]
    unknown = [key for key in keys if key not in archdata.EXPECTED + archdata.WHEN_APPLICABLE]
    assert not unknown, f"{arch}: {path} has keys no test reads (misspelt?): {', '.join(unknown)}"


def test_a_missing_expectation_fails_naming_the_arch_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archdata, "lookup", lambda arch, key: (False, None))
    with pytest.raises(pytest.fail.Exception, match=r"amd64: no 'snippets\.fault' in emu/data/arch/amd64/"):
        archdata.expect("amd64", "snippets.fault")


def test_a_missing_input_fails_naming_the_arch_and_file(monkeypatch: pytest.MonkeyPatch) -> None:
    arm = arches.get("arm")
    monkeypatch.setattr(arches, "get", lambda name: dataclasses.replace(arm, folders=()))
    with pytest.raises(pytest.fail.Exception, match=r"arm: no tests/fixtures/or8\.s in its folder"):
        archdata.input_file("arm", "tests/fixtures/or8.s")


def test_only_declared_inputs_and_keys_may_be_read() -> None:
    """Reading an undeclared file or key is an error, so INPUTS and EXPECTED stay complete."""
    with pytest.raises(AssertionError, match="INPUTS"):
        archdata.input_file("amd64", "tests/fixtures/nothing.s")
    with pytest.raises(AssertionError, match="EXPECTED"):
        archdata.expect("amd64", "snippets.nothing")

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hospitals.validators import credit_code_check_char, normalize_credit_code, validate_credit_code

# Real, published codes (check characters computed by their issuers).
VALID = [
    "91350100M000100Y43",
    "91110000802100433B",
    "91440300708461136T",
    "12100000400000624D",
]


def with_wrong_check(code: str) -> str:
    wrong = "0" if code[17] != "0" else "1"
    return code[:17] + wrong


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    validate_credit_code(code)
    assert credit_code_check_char(code[:17]) == code[17]


def test_lowercase_is_normalised_and_accepted():
    validate_credit_code("91350100m000100y43")
    assert normalize_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize("code", VALID)
def test_wrong_check_character_is_rejected(code):
    with pytest.raises(ValidationError) as info:
        validate_credit_code(with_wrong_check(code))
    assert info.value.code == "credit_code_check"


@pytest.mark.parametrize("code", ["", "91350100M000100Y4", "91350100M000100Y431", "123"])
def test_wrong_length_is_rejected(code):
    with pytest.raises(ValidationError) as info:
        validate_credit_code(code)
    assert info.value.code == "credit_code_length"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_forbidden_letters_are_rejected(letter):
    code = "91350100M000100" + letter + "43"
    with pytest.raises(ValidationError) as info:
        validate_credit_code(code)
    assert info.value.code == "credit_code_chars"
    assert letter in info.value.messages[0]


def test_punctuation_is_rejected():
    with pytest.raises(ValidationError) as info:
        validate_credit_code("91350100-000100Y43")
    assert info.value.code == "credit_code_chars"


def test_division_code_must_be_digits():
    first17 = "91AB0100M000100Y4"
    with pytest.raises(ValidationError) as info:
        validate_credit_code(first17 + credit_code_check_char(first17))
    assert info.value.code == "credit_code_division"

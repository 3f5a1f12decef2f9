import pytest
from django.core.exceptions import ValidationError

from hazards.validators import check_character, make_credit_code, org_check_character, validate_credit_code

VALID = ["911100001000079554", make_credit_code("9137082600000001"), make_credit_code("12370826MB0000AA")]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code):
    validate_credit_code(code)


def _error(code):
    with pytest.raises(ValidationError) as err:
        validate_credit_code(code)
    return err.value.code, str(err.value.messages[0])


def test_wrong_check_character():
    code = VALID[0]
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    assert _error(wrong)[0] == "check"


def test_wrong_organisation_check_digit():
    code = VALID[1]
    body = code[:16] + ("0" if code[16] != "0" else "1")
    assert _error(body + check_character(body))[0] == "org_check"


@pytest.mark.parametrize("code", ["", "91110000100007955", "9111000010000795544"])
def test_wrong_length(code):
    kind, message = _error(code)
    assert kind == "length" and "18 位" in message


def test_lower_case_is_refused():
    assert _error(VALID[1].lower())[0] == "lowercase"


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_letters_the_standard_excludes(letter):
    code = VALID[0][:10] + letter + VALID[0][11:]
    kind, message = _error(code)
    assert kind == "excluded" and letter in message


def test_org_check_x():
    # GB 11714 writes a check value of 10 as "X".
    assert any(org_check_character(f"{n:08d}") == "X" for n in range(100))


def test_the_quick_check_gives_the_full_checks_verdict_on_every_kind_of_code():
    import random

    from hazards.validators import CHARSET, is_valid_credit_code

    rng = random.Random(5)
    alphabet = CHARSET + "IOZSVabc -"
    codes = list(VALID) + ["", "9137", None, 18 * "0", VALID[0].lower()]
    for _ in range(3000):
        body = "".join(rng.choice(CHARSET) for _ in range(16))
        valid = make_credit_code(body)
        codes.append(valid)
        position = rng.randrange(18)
        codes.append(valid[:position] + rng.choice(alphabet) + valid[position + 1:])  # one character changed
        codes.append(valid[:17])
    for code in codes:
        try:
            validate_credit_code(code)
            expected = True
        except ValidationError:
            expected = False
        assert is_valid_credit_code(code) is expected, code
    assert sum(map(is_valid_credit_code, codes)) > 3000

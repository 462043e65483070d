# This module cannot even be imported: pytest reports a collection error.
from app.billing import charge


def test_charge():
    assert charge(10) == 10

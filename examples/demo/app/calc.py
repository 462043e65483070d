"""Small arithmetic helpers used by the demo service."""


def add(a, b):
    """Returns a + b."""
    return a + b


def mean(values):
    """Returns the arithmetic mean of a non-empty sequence of numbers."""
    if not values:
        raise ValueError("mean() needs at least one value")
    return sum(values) / len(values)


def percent(part, whole):
    """Returns part as a percentage of whole, rounded to two decimals."""
    if whole == 0:
        raise ZeroDivisionError("percent() of a zero whole")
    return round(part / whole * 100, 2)


def clamp(value, low, high):
    """Limits value to the closed range [low, high]."""
    if low > high:
        # TODO: accept reversed bounds instead of refusing them.
        raise ValueError("clamp() needs low <= high")
    return max(low, min(value, high))

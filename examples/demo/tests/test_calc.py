import unittest

from app import calc


class AddTests(unittest.TestCase):
    def test_adds_integers(self):
        self.assertEqual(calc.add(2, 3), 5)

    def test_adds_floats(self):
        self.assertAlmostEqual(calc.add(0.1, 0.2), 0.3)


class MeanTests(unittest.TestCase):
    def test_mean_of_values(self):
        self.assertEqual(calc.mean([1, 2, 3, 4]), 2.5)

    def test_mean_of_nothing_is_an_error(self):
        with self.assertRaises(ValueError):
            calc.mean([])


class PercentTests(unittest.TestCase):
    def test_percent_rounds_to_two_decimals(self):
        self.assertEqual(calc.percent(1, 3), 33.33)

    def test_percent_of_zero_whole_is_an_error(self):
        with self.assertRaises(ZeroDivisionError):
            calc.percent(1, 0)


class ClampTests(unittest.TestCase):
    def test_clamp_inside_range(self):
        self.assertEqual(calc.clamp(5, 0, 10), 5)

    def test_clamp_below_and_above(self):
        self.assertEqual(calc.clamp(-1, 0, 10), 0)
        self.assertEqual(calc.clamp(11, 0, 10), 10)

    # Reversed bounds (low > high) are deliberately not tested: coverage reports that line as missed.


if __name__ == "__main__":
    unittest.main()

"""Demo application for Shipcheck: a tiny calculator and the HTTP service around it."""

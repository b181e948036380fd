from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The scale benchmark: a dataset generator and a harness (management commands only)."""

    name = "bench"
    verbose_name = "Benchmark"

"""Compiled simulator kernels are cached where the product's settings say, as in production."""

from ketamine_cds.bootstrap import configure_kernel_cache
from ketamine_cds.settings import read_settings

configure_kernel_cache(read_settings().cache_dir)

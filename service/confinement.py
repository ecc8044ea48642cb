"""What one job's work horse may use: CPU cores, memory and GPUs, set before the job starts.

`confine` runs in the forked work horse, never in the worker, which outlives the job and runs
the next one under other limits. A limit in the horse binds the job and whatever it starts,
and dies with it.

- CPU: every thread pool the job may use is held to the tenant's cores: the BLAS and OpenMP
  pools already loaded (threadpoolctl), torch's, the `n_jobs`/`nthread` ml_backend gives each
  library, and the environment variables pools started later read.
- Memory: an address-space limit (RLIMIT_AS) of what the worker had mapped before the fork plus
  the tenant's memory, so the libraries loaded before the fork (numpy, OpenBLAS, torch) keep
  working and the job's own allocations are what is bounded. glibc's per-thread malloc arenas
  each reserve 64 MiB of address space, so they are held to one per core. A job over the limit
  gets an allocation error; the horse then exits with EXIT_OUT_OF_MEMORY, which the worker
  reads and records, since the horse itself may lack the memory to.
- GPUs: with none allowed, CUDA is hidden from the job (CUDA_VISIBLE_DEVICES=""). CUDA maps
  vast address ranges, so with GPUs allowed the memory limit is not an address-space limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
from typing import Any

from threadpoolctl import ThreadpoolController

from ml_backend.algorithms.base import limit_threads, threads
from ml_backend.jobs.words import size_words
from service.domain.limits.schemas import Limits, duration_text

EXIT_OUT_OF_MEMORY = 99
"""The exit status of a work horse whose job ran out of its memory."""

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
_M_ARENA_MAX = -8  # glibc's mallopt parameter number
_OUT_OF_MEMORY_MARKS = ("bad_alloc", "can't allocate memory", "cannot allocate memory",
                        "out of memory")  # fmt: skip

_thread_pools: ThreadpoolController | None = None


def find_thread_pools() -> None:
    """Find the loaded BLAS and OpenMP pools once, in the worker before it forks: looking costs
    ~15 ms, which each job would otherwise pay before it starts."""
    global _thread_pools
    _thread_pools = ThreadpoolController()


def confine(limits: Limits) -> str:
    """Hold this process (a work horse) to `limits`; what the job may use, in words."""
    pools = _limit_cpu(limits.cpu_cores)
    if limits.gpus == 0:
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
        memory = _limit_memory(limits.memory_bytes)
    else:
        memory = "not enforced while GPUs are allowed"
    return f"limits: {limits.words()}; threads: {pools}; memory {memory}"


def hold_cores(cores: int) -> str:
    """Hold this work horse's thread pools to `cores` from now on (a tuning that now shares its
    machine with its helpers); the pools in words."""
    return _limit_cpu(cores)


def _limit_cpu(cores: int) -> str:
    import torch  # imported by the worker before the fork: free here

    for name in THREAD_VARIABLES:
        os.environ[name] = str(cores)
    controller = _thread_pools or ThreadpoolController()
    for pool in controller.lib_controllers:
        # Setting OpenBLAS's count, even to the one it has, starts a pool whose threads spin
        # for a while: on a small machine they took the cores from the job's first steps.
        if pool.num_threads > cores:
            pool.set_num_threads(cores)
    torch.set_num_threads(cores)
    limit_threads(cores)
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to hold
        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, cores)
    per_api: dict[str, int] = {}
    for info in controller.info():
        api = str(info["internal_api"])
        per_api[api] = max(per_api.get(api, 0), int(info["num_threads"]))
    shown = [f"{api} {count}" for api, count in sorted(per_api.items())]
    return ", ".join([*shown, f"torch {torch.get_num_threads()}", f"n_jobs {threads(None)}"])


def _limit_memory(memory_bytes: int) -> str:
    mapped = _mapped_bytes()
    if mapped is None:
        return "not enforced (no /proc on this system)"
    ceiling = mapped + memory_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    return f"{size_words(memory_bytes)} beyond the worker's {size_words(mapped)}"


def _mapped_bytes() -> int | None:
    """This process's address space now (VmSize), or None where /proc does not say."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def ran_out_of_memory(error: BaseException) -> bool:
    """Whether `error`, or one it came from, is an allocation that failed: Python's
    MemoryError, or a library's (C++ bad_alloc in xgboost and lightgbm, torch's allocator)."""
    seen: BaseException | None = error
    for _ in range(10):  # a chain of causes is short; a cycle must not hang the job
        if seen is None:
            return False
        if isinstance(seen, MemoryError):
            return True
        text = str(seen).lower()
        if any(mark in text for mark in _OUT_OF_MEMORY_MARKS):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def over_memory(limits: Limits, tenant: str) -> str:
    """Why a job that ran out of its memory failed, and what to do."""
    return (
        f"used more than {size_words(limits.memory_bytes)} of memory, the limit of tenant "
        f"{tenant!r}'s jobs: try a sample of the data or a smaller model, or ask an admin to "
        f"raise it (`mlchat limits set --tenant {tenant} --memory-gb N`)"
    )


def over_duration(limits: Limits, tenant: str) -> str:
    """Why a job stopped at its duration limit failed, and what to do."""
    return (
        f"exceeded the {duration_text(limits.duration_s)} limit: the job was stopped; ask for "
        "less (fewer trials or rounds, a sample of the data), or ask an admin to raise the limit "
        f"(`mlchat limits set --tenant {tenant} --duration 8h`)"
    )


def job_limits(meta: dict[str, Any]) -> Limits | None:
    """The limits a job was queued with (None for a job queued without them)."""
    stored = meta.get("limits")
    return Limits.model_validate(stored) if isinstance(stored, dict) else None

"""Jensen-Shannon divergence between the rows of every head of A and the same rows of every head of B, as a
few batched float32 array operations (torch), in blocks that bound memory (head matching's kernel).

With s = p + q (rows summing to 1, or 0 for an empty row) and m = s / 2,
    JS(p, q) = H(m) - (H(p) + H(q)) / 2 = (log 2 * (sum p + sum q) - D) / 2,
    D = sum_t [s log s - p log p - q log q]  (>= 0),
so the only work per pair is D. Two cases:
- a sparse row (ConvBERT's convolution heads weigh 9 of T keys): every term of D where that row is 0 is
  0, so D is summed over its support only (K keys instead of T, exact);
- two dense rows: D = sum s log s - sum p log p - sum q log q, one log per key (the sums of p log p once
  per head); this is the bulk of the time: Na * Nb * R * T logarithms.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

BLOCK = (1 << 15) - 1  # elements per block (128 KB, in cache): below torch's parallel grain of 32768
WORKERS = 2  # threads sharing the dense blocks (at most torch.get_num_threads())
SPARSE_SHARE = 8  # a head whose rows weigh at most T // SPARSE_SHARE keys is summed over their support
FLOOR = 1e-30  # s log s at s = 0 is taken at this floor: -7e-29, 0 to float32 precision


def pairwise_js(heads_a: np.ndarray, heads_b: np.ndarray) -> np.ndarray:
    """Mean over rows of JS(a[i, r], b[j, r]) (nats) for every head i of A and j of B.

    heads_a [Na, R, T], heads_b [Nb, R, T] (rows renormalised to sum to 1; an all-zero row stays zero,
    as js_divergence) -> [Na, Nb] float64. Float32 arithmetic: within 2e-6 of the float64 reference."""
    import torch

    (a, mass_a), (b, mass_b) = _normalised(heads_a), _normalised(heads_b)
    na, nb, rows = a.shape[0], b.shape[0], a.shape[1]
    if na == 0 or nb == 0 or rows == 0:
        return np.zeros((na, nb))
    with torch.inference_mode():
        mix = torch.empty(na, nb, rows)  # D per pair and row
        sparse_a, idx_a = _support(a)
        sparse_b, idx_b = _support(b)
        dense_a = np.setdiff1d(np.arange(na), sparse_a)
        dense_b = np.setdiff1d(np.arange(nb), sparse_b)
        if len(sparse_b):  # every head of A against B's sparse heads, over their support
            mix[:, sparse_b] = _support_mix(a, b[sparse_b], idx_b)
        if len(sparse_a) and len(dense_b):  # A's sparse heads against B's dense ones, over A's support
            part = _support_mix(b[dense_b], a[sparse_a], idx_a).transpose(0, 1)
            mix[torch.from_numpy(sparse_a)[:, None], torch.from_numpy(dense_b)[None]] = part
        if len(dense_a) and len(dense_b):
            part = _dense_mix(a[dense_a], b[dense_b])
            mix[torch.from_numpy(dense_a)[:, None], torch.from_numpy(dense_b)[None]] = part
        mass = mass_a[:, None] + mass_b[None]  # [Na, Nb, R]: 2, or 1 beside an empty row
        js = (0.5 * (float(np.log(2)) * mass - mix)).clamp_min_(0)
        return js.double().mean(-1).numpy()


def _normalised(heads: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows scaled to sum to 1 (float32 [N, R, T]) and their new sums [N, R] (1, or 0 for an empty row)."""
    import torch

    p = torch.from_numpy(np.ascontiguousarray(heads, dtype=np.float32))
    total = p.sum(-1, keepdim=True)
    return p / total.clamp_min(1e-12), (total / total.clamp_min(1e-12)).squeeze(-1)


def _plogp(p: torch.Tensor) -> torch.Tensor:
    """sum p log p over the last axis (0 log 0 = 0)."""
    import torch

    return torch.linalg.vecdot(p, p.clamp_min(FLOOR).log())


def _support(p: torch.Tensor) -> tuple[np.ndarray, torch.Tensor]:
    """The sparse heads (every row weighs at most T // SPARSE_SHARE keys) and, for them, the indices
    [n, R, K] of each row's K largest weights (its support, padded with zero-weight keys)."""
    import torch

    nonzero = (p > 0).sum(-1, dtype=torch.int32).amax(-1)  # [N]
    sparse = np.flatnonzero((nonzero <= p.shape[-1] // SPARSE_SHARE).numpy())
    if len(sparse) == 0:
        return sparse, p.new_empty(0, dtype=torch.long)
    k = max(1, int(nonzero[sparse].max()))
    return sparse, p[sparse].topk(k, dim=-1).indices


def _support_mix(x: torch.Tensor, sparse: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """D between every head of x [Nx, R, T] and every sparse head [n, R, T] whose support is idx
    [n, R, K]: sum over the support of s log s - x log x - q log q (0 off the support) -> [Nx, n, R]."""
    import torch

    n, rows, k = idx.shape
    q = sparse.gather(-1, idx)  # [n, R, K]
    q_term = _plogp(q)  # [n, R]
    out = torch.empty(x.shape[0], n, rows)
    step = min(n, max(1, BLOCK // (rows * k)))
    blocks = [(i, j) for i in range(x.shape[0]) for j in range(0, n, step)]

    def run(block: tuple[int, int]) -> None:
        i, j = block
        g = x[i].expand(len(idx[j : j + step]), -1, -1).gather(-1, idx[j : j + step])  # [c, R, K]
        s = g + q[j : j + step]
        s_term = s.mul(s.clamp_min(FLOOR).log()) - g.mul(g.clamp_min(FLOOR).log())  # 0 where q = 0
        out[i, j : j + step] = s_term.sum(-1) - q_term[j : j + step]

    _in_threads(run, blocks)
    return out


def _dense_mix(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """D between every head of a [Na, R, T] and of b [Nb, R, T], all keys: sum s log s minus the two
    sums of p log p, in blocks of fewer than BLOCK elements (add, log, dot product per block) -> [Na, Nb, R]."""
    import torch

    (na, rows, T), nb = a.shape, b.shape[0]
    plogp_a, plogp_b = _plogp(a), _plogp(b)  # [N, R]
    a = a.clamp_min(FLOOR)  # so s > 0 and s log s is finite where both rows weigh 0
    cr = min(rows, max(1, BLOCK // T))
    cr = -(-rows // -(-rows // cr))  # the same rows in each block (128 rows of 512 keys: 3 x 43, not 63 + 63 + 2)
    cb = min(nb, max(1, BLOCK // (cr * T)))
    ca = min(na, max(1, BLOCK // (cb * cr * T)))
    blocks = [(a0, b0, r0) for a0 in range(0, na, ca) for b0 in range(0, nb, cb) for r0 in range(0, rows, cr)]
    sums = torch.empty(na, nb, rows)
    buffers = threading.local()

    def run(block: tuple[int, int, int]) -> None:
        a0, b0, r0 = block
        if not hasattr(buffers, "s"):  # one pair of work buffers per thread
            buffers.s, buffers.log = torch.empty(ca * cb * cr * T), torch.empty(ca * cb * cr * T)
        pa, pb = a[a0 : a0 + ca, None, r0 : r0 + cr], b[None, b0 : b0 + cb, r0 : r0 + cr]
        shape = (pa.shape[0], pb.shape[1], pa.shape[2], T)
        size = shape[0] * shape[1] * shape[2] * T
        s, log_s = buffers.s[:size].view(shape), buffers.log[:size].view(shape)
        torch.add(pa, pb, out=s)
        torch.log(s, out=log_s)
        sums[a0 : a0 + ca, b0 : b0 + cb, r0 : r0 + cr] = torch.linalg.vecdot(s, log_s)

    _in_threads(run, blocks)
    return sums - plogp_a[:, None] - plogp_b[None]


def _in_threads(run: Callable[[Any], None], blocks: list[Any]) -> None:
    """run(block) for every block, shared among WORKERS threads (at most torch.get_num_threads()).

    A block is smaller than torch's parallel grain, so its operations run in the thread that calls them
    (torch releases the GIL meanwhile). Unlike torch's own threads, which meet at a barrier after every
    operation, no thread waits for another until the end: on a machine whose cores other processes
    also use, a barrier per operation made head matching several times slower."""
    import torch

    workers = max(1, min(WORKERS, torch.get_num_threads(), len(blocks)))
    if workers == 1:
        with torch.inference_mode():
            for block in blocks:
                run(block)
        return

    def run_share(share: list[Any]) -> None:
        with torch.inference_mode():
            for block in share:
                run(block)

    shares = [blocks[i :: workers * 8] for i in range(workers * 8)]  # small shares: a slowed thread takes fewer
    with ThreadPoolExecutor(workers, thread_name_prefix="js-matrix") as pool:
        list(pool.map(run_share, shares))

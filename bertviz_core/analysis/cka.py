"""Linear CKA (Kornblith et al. 2019) between two models' hidden states: of one set of states, and
accumulated over many sentences without keeping them."""

from __future__ import annotations

import numpy as np

CKA_MAX_BYTES = 256 * 2**20  # CKA over many sentences keeps at most this much (Gram sums or raw states)


def linear_cka(x: np.ndarray, y: np.ndarray) -> float:
    """Linear CKA (Kornblith et al. 2019) between representations x [n, d1] and y [n, d2]."""
    return float(cka_matrix(np.asarray(x)[None], np.asarray(y)[None])[0, 0])


def cka_matrix(hidden_a: np.ndarray, hidden_b: np.ndarray) -> np.ndarray:
    """Layer x layer linear CKA of hidden states [La, n, Da] and [Lb, n, Db] -> [La, Lb]."""
    xs = [x - x.mean(0) for x in np.asarray(hidden_a, dtype=np.float64)]  # centred, [n, Da] each
    ys = [y - y.mean(0) for y in np.asarray(hidden_b, dtype=np.float64)]
    self_x = [np.linalg.norm(x.T @ x) for x in xs]
    self_y = [np.linalg.norm(y.T @ y) for y in ys]
    out = np.zeros((len(xs), len(ys)))
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            den = self_x[i] * self_y[j]
            out[i, j] = np.linalg.norm(y.T @ x) ** 2 / den if den > 0 else 0.0
    return out


class CKAAccumulator:
    """Linear CKA of hidden states over many sentences without keeping them.

    Exact: accumulates sum x, sum y, X^T X (per layer) and X^T Y (all layer pairs) in float64, from
    which the centred cross-covariances follow (||Y_c^T X_c||_F^2 / (||X_c^T X_c||_F ||Y_c^T Y_c||_F),
    as cka_matrix). States are shifted by the first sentence's mean (so centring does not cancel
    large means) and buffered up to FLUSH_UNITS tokens per float32 product (writing the
    [La*Da, Lb*Db] sum costs the same for 10 tokens as for 2000). When the Gram sums would exceed
    `max_bytes` (big models), raw states are kept instead while they fit, else CKA is given up
    (`skipped` says why)."""

    FLUSH_UNITS = 2048
    DUAL_UNITS = 1024  # up to this many tokens, none flushed yet: CKA from the token x token Gram matrices

    def __init__(self, max_bytes: int = CKA_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.mode: str | None = None  # "gram", "raw" or "off", chosen by the first add()
        self.n = 0
        self.skipped = ""
        self.raw_a: list[np.ndarray] = []  # raw mode: every sentence; gram mode: the unflushed buffer
        self.raw_b: list[np.ndarray] = []

    def add(self, xa: np.ndarray, xb: np.ndarray) -> None:
        xa = np.asarray(xa, dtype=np.float32)  # [La+1, U, Da]
        xb = np.asarray(xb, dtype=np.float32)  # [Lb+1, U, Db]
        (La, U, Da), (Lb, _, Db) = xa.shape, xb.shape
        if self.mode is None:
            gram_bytes = 8 * ((La * Da) * (Lb * Db) * 2 + La * Da * Da + Lb * Db * Db)  # with one temporary
            buffer_bytes = 4 * self.FLUSH_UNITS * (La * Da + Lb * Db)
            self.mode = "gram" if gram_bytes + buffer_bytes <= self.max_bytes else "raw"
            if self.mode == "gram":
                self.shift_a, self.shift_b = xa.mean(1, keepdims=True), xb.mean(1, keepdims=True)
                self.sum_a, self.sum_b = np.zeros((La, Da)), np.zeros((Lb, Db))
                self.aa, self.bb = np.zeros((La, Da, Da)), np.zeros((Lb, Db, Db))
                self.ab = np.zeros((La * Da, Lb * Db))
                self.buffered = 0
        if self.mode == "off":
            return
        if self.mode == "raw":
            held = sum(x.nbytes for x in self.raw_a + self.raw_b) + xa.nbytes + xb.nbytes
            if held > self.max_bytes:
                self.mode, self.raw_a, self.raw_b = "off", [], []
                self.skipped = f"the hidden states of these models need more than {self.max_bytes // 2**20} MB"
                return
        else:
            xa, xb = xa - self.shift_a, xb - self.shift_b
            self.buffered += U
        self.raw_a.append(xa)
        self.raw_b.append(xb)
        self.n += U
        if self.mode == "gram" and self.buffered >= self.FLUSH_UNITS:
            self._flush()

    def _flush(self) -> None:
        import torch

        if not self.raw_a:
            return
        xa = torch.from_numpy(np.concatenate(self.raw_a, axis=1))  # [La, U, Da]
        xb = torch.from_numpy(np.concatenate(self.raw_b, axis=1))
        self.raw_a, self.raw_b, self.buffered = [], [], 0
        with torch.inference_mode():
            self.sum_a += xa.double().sum(1).numpy()
            self.sum_b += xb.double().sum(1).numpy()
            self.aa += torch.bmm(xa.transpose(1, 2), xa).numpy()
            self.bb += torch.bmm(xb.transpose(1, 2), xb).numpy()
            flat_a = xa.transpose(0, 1).reshape(xa.shape[1], -1)  # [U, La*Da]
            flat_b = xb.transpose(0, 1).reshape(xb.shape[1], -1)
            self.ab += (flat_a.T @ flat_b).numpy()

    def matrix(self) -> np.ndarray | None:
        if self.mode == "raw":
            return cka_matrix(np.concatenate(self.raw_a, axis=1), np.concatenate(self.raw_b, axis=1))
        if self.mode != "gram" or self.n == 0:
            return None
        if self.buffered == self.n and self.n <= self.DUAL_UNITS:  # every state still here, and few of them
            return self._dual()
        self._flush()
        La, Da = self.sum_a.shape
        Lb, Db = self.sum_b.shape
        ma, mb = self.sum_a / self.n, self.sum_b / self.n
        cross = self.ab.reshape(La, Da, Lb, Db) - self.n * ma[:, :, None, None] * mb[None, None]
        num = np.einsum("adbe,adbe->ab", cross, cross)
        norm = lambda g, m: np.sqrt(((g - self.n * m[:, :, None] * m[:, None, :]) ** 2).sum((1, 2)))
        den = norm(self.aa, ma)[:, None] * norm(self.bb, mb)[None]
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)

    def _dual(self) -> np.ndarray:
        """The same CKA from the n x n Gram matrices K = X_c X_c^T of the buffered states: ||Y_c^T X_c||_F^2 =
        <K_x, K_y>_F and ||X_c^T X_c||_F = ||K_x||_F; for one sentence (n = 512, D = 384, 7 layers) a few
        times cheaper than the D x D sums, which the states never reach."""
        import torch

        grams = []
        for raw in (self.raw_a, self.raw_b):
            x = torch.from_numpy(np.concatenate(raw, axis=1))  # [L, n, D], float32
            x = x - x.double().mean(1, keepdim=True).float()
            with torch.inference_mode():
                grams.append(torch.bmm(x, x.transpose(1, 2)).reshape(len(x), -1).double())  # [L, n * n]
        ka, kb = grams
        num = (ka @ kb.T).numpy()
        den = (ka.norm(dim=1)[:, None] * kb.norm(dim=1)[None]).numpy()
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)

"""Top Hessian eigenvalues by power iteration (bertviz_core.analysis.hessian). Oracles: numpy.linalg.eigvalsh of
a known matrix (quadratic losses, whose Hessian is that matrix), finite differences of the gradient, and the
masked positions counted by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from bertviz_core.analysis import hessian


def spd(n: int, seed: int, top_gap: float = 3.0) -> np.ndarray:
    """A symmetric positive-definite matrix whose top eigenvalue is well separated (power iteration converges)."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    eig = np.concatenate([[top_gap * 2.0], rng.uniform(0.1, 2.0, n - 1)])
    return (q * eig) @ q.T


def test_top_eigenvalue_of_a_quadratic_loss_matches_numpy_eigvalsh():
    A = spd(12, seed=0)
    x = torch.tensor(np.random.default_rng(1).normal(size=12), requires_grad=True)  # the Hessian is A anywhere
    loss = 0.5 * x @ torch.tensor(A) @ x
    result = hessian.top_eigenvalues(loss, [[x]], max_iter=200, tol=1e-10)[0]
    assert result.eigenvalue == pytest.approx(np.linalg.eigvalsh(A).max(), rel=1e-6)
    assert result.converged and result.iterations < 200 and result.rel_change < 1e-10
    assert len(result.history) == result.iterations


def test_each_parameter_group_gets_the_top_eigenvalue_of_its_own_hessian_block():
    A, B = spd(6, seed=2, top_gap=5.0), spd(4, seed=3, top_gap=1.5)
    C = torch.tensor(np.random.default_rng(4).normal(size=(6, 4)))  # a coupling: off-diagonal block, ignored
    x = torch.ones(6, dtype=torch.float64, requires_grad=True)
    y = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)  # a parameter of another shape
    yf = y.reshape(-1)
    loss = 0.5 * x @ torch.tensor(A) @ x + 0.5 * yf @ torch.tensor(B) @ yf + x @ C @ yf
    got = [r.eigenvalue for r in hessian.top_eigenvalues(loss, [[x], [y]], max_iter=300, tol=1e-12)]
    assert got == pytest.approx([np.linalg.eigvalsh(A).max(), np.linalg.eigvalsh(B).max()], rel=1e-6)


def test_power_iteration_stops_at_max_iter_and_says_it_did_not_converge():
    A = np.diag([2.0, 1.999, 1.0])  # a tiny gap: slow convergence
    At = torch.tensor(A)
    result = hessian.power_iteration(lambda v: [At @ v[0]], [At[0]], max_iter=3, tol=1e-12)
    assert result.iterations == 3 and not result.converged and result.rel_change > 1e-12
    assert 1.0 <= result.eigenvalue <= 2.0 + 1e-12  # a Rayleigh quotient lies inside the spectrum


def test_hessian_vector_product_matches_finite_differences_of_the_gradient():
    torch.manual_seed(0)
    w = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    x = torch.randn(7, 3, dtype=torch.float64)

    def loss_of(w: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x @ w.T).pow(2).sum()

    v = torch.randn(5, 3, dtype=torch.float64)
    hv = hessian.graph_hvp(loss_of(w), [w])([v])[0]
    eps = 1e-6
    g_plus = torch.autograd.grad(loss_of(w + eps * v), w)[0]
    g_minus = torch.autograd.grad(loss_of(w - eps * v), w)[0]
    assert torch.allclose(hv, (g_plus - g_minus) / (2 * eps), atol=1e-6)


def test_omega_is_abs_mean_plus_population_std():
    assert hessian.omega([1.0, 3.0]) == pytest.approx(2.0 + 1.0)
    assert hessian.omega([-4.0, -2.0]) == pytest.approx(3.0 + 1.0)


def test_distillation_loss_is_zero_at_the_reference_and_its_hessian_is_psd():
    torch.manual_seed(0)
    lin = torch.nn.Linear(4, 4).double()

    class Out:
        def __init__(self, h: torch.Tensor) -> None:
            self.last_hidden_state = h

    def model(input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Out:
        return Out(torch.tanh(lin(input_ids)))

    enc = {"input_ids": torch.randn(3, 5, 4, dtype=torch.float64), "attention_mask": torch.ones(3, 5)}
    ref = hessian.pooled_reference(model, enc)
    loss = hessian.distillation_loss(model, enc, ref)
    assert float(loss.detach()) == pytest.approx(0.0, abs=1e-12)
    result = hessian.top_eigenvalues(loss, [[lin.weight]], max_iter=200, tol=1e-9)[0]
    assert result.eigenvalue > 0


def test_masked_batch_masks_only_real_non_special_tokens_and_labels_them():
    ids = torch.tensor([[101, 5, 6, 7, 8, 9, 102, 0], [101, 11, 102, 0, 0, 0, 0, 0]])
    mask = (ids != 0).long()
    special = torch.isin(ids, torch.tensor([101, 102, 0]))
    inputs, labels = hessian.masked_batch({"input_ids": ids, "attention_mask": mask}, 103, special, share=0.5)
    picked = inputs["input_ids"] == 103
    assert not (picked & special).any()
    assert picked[1].sum() == 1 and bool(picked[1, 1])  # a one-word sentence still gets its word masked
    assert torch.equal(labels[picked], ids[picked]) and bool((labels[~picked] == -100).all())
    assert torch.equal(inputs["input_ids"][~picked], ids[~picked])

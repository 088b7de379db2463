"""Attention flow (Abnar & Zuidema 2020): max-flow through the layered graph of 0.5 A + 0.5 I."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from bertviz_core.analysis.contributions.attention import attention_mean
from bertviz_core.analysis.contributions.base import normalise_rows, with_residual
from bertviz_core.tracing.capture import Trace

if TYPE_CHECKING:
    import networkx as nx

    from bertviz_core.models.loading import LoadedModel

FLOW_MAX_TOKENS = 16  # measured: see bench/bench_contributions.py and bench/RESULTS.md


def flow_graph(capacities: np.ndarray, layer: int) -> nx.DiGraph:
    """The layered graph of Abnar & Zuidema: node (k, j) is token j at layer k's input (k = 0..layer+1),
    with an edge (k + 1, i) -> (k, j) of capacity capacities[k, i, j]. Nodes are numbered k * T + j."""
    import networkx as nx

    T = capacities.shape[-1]
    graph = nx.DiGraph()
    for k in range(layer + 1):
        for i in range(T):
            for j in range(T):
                graph.add_edge((k + 1) * T + i, k * T + j, capacity=float(capacities[k, i, j]))
    return graph


def attention_flow(capacities: np.ndarray, layers: Iterable[int] | None = None) -> np.ndarray:
    """Raw max-flow values [L, T, T]: entry (l, i, j) is the max flow from token i at layer l's output
    to token j at the input, through capacities[0..l] (networkx, shortest augmenting path).
    `layers` limits the work to some row blocks (others are left NaN)."""
    import networkx as nx
    from networkx.algorithms.flow import build_residual_network, shortest_augmenting_path

    capacities = np.asarray(capacities, dtype=np.float64)
    L, T, _ = capacities.shape
    out = np.full((L, T, T), np.nan)
    for layer in range(L) if layers is None else layers:
        graph = flow_graph(capacities, layer)
        residual = build_residual_network(graph, "capacity")
        for i in range(T):
            for j in range(T):
                out[layer, i, j] = nx.maximum_flow_value(
                    graph, (layer + 1) * T + i, j, flow_func=shortest_augmenting_path, residual=residual
                )
    return out


def flow_mixing(
    lm: LoadedModel, trace: Trace, accumulate: bool = True, layers: Iterable[int] | None = None
) -> np.ndarray:
    """The "flow" method: max-flow through 0.5 A + 0.5 I up to each layer, rows normalised (always
    accumulated). `layers` computes just those row blocks; the others are NaN."""
    raw = attention_flow(with_residual(attention_mean(trace)), layers)
    done = ~np.isnan(raw[:, 0, 0])
    out = np.full(raw.shape, np.nan, dtype=np.float32)
    out[done] = normalise_rows(raw[done])
    return out

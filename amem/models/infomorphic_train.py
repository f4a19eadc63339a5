"""Batched training of many infomorphic networks at once (imported lazily by the model).

One :func:`train_ensemble` call trains independent networks (different seeds, loads P and goals)
in one computation: networks are sorted by P into buckets of similar size (padded to the bucket's
largest P and masked), every epoch costs two batched matrix products per bucket (on the CPU
over each network's own P columns: amem's small-GEMM kernel on AVX-512 CPUs, else numpy's
matmul per run of equal P) plus one histogram / closed-form PID gradient per neuron, and
networks that meet the early-stopping criterion at a checkpoint leave their bucket. The CPU path (hard bins, closed-form gradient) is
numpy and Numba only; torch is imported only for the autograd path (soft bins, CUDA), since its
import costs seconds, most of a short run.

Protocol (Blümel et al. 2025, arXiv 2511.02584; see ``shared/docs/infomorphic-spec.md``):
external input = state = the clean stored patterns, full batch, Adam (lr 0.05, torch defaults
otherwise), W initialised U(-1/sqrt N, 1/sqrt N) * 0.001 with zero diagonal, loss
-sum_i gamma . atoms_i, recall accuracy checked after the completed epochs
``np.logspace(0, log10(epochs), 15, dtype=int)`` and once more after the last (for 5000 epochs:
after 1, 3, 6, 11, 20, 38, 70, 129, 238, 438, 805, 1480, 2721, 4999 and 5000), and training stops
once the mean overlap of synchronous recall from the clean patterns (external input off, at most
N sweeps) reaches the threshold (:func:`checkpoint_epochs`).

One difference from the authors' recall remains: they stop a whole recall batch (all P cues)
when every cue is at a fixed point or in a 2-cycle, amem stops each cue on its own, so a cue in
a 2-cycle may end in the other phase of its cycle. ``python benchmarks/infomorphic_reference.py
batch-stop`` measures the effect at every checkpoint of 28 trainings (N = 100, alpha 0.5-2.0,
4 seeds): the mean overlaps differ by up to 0.06 early in training, where recall is poor and
many cues cycle, but by at most 0.002 where either reaches 0.9, and no stopping decision changed.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from amem.errors import AmemError, TrainingError
from amem.pid.sx import sx_atoms

if TYPE_CHECKING:  # torch is imported at run time only on the autograd path
    import torch

ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
#: most runs of equal P whose matrix products a bucket computes apart (:func:`pattern_count_groups`)
MAX_P_GROUPS = 12
FIXED_RANGE = (-20.0, 20.0)  # fixed binning edges of both sources (authors' default)

SOFT_TAU = (1e-5, 0.5)  # soft-binning temperatures (external, internal), absolute units
N_CHECKPOINTS = 15
STOCHASTIC_STEPS = 20  # further steps of the authors' stochastic test (storage.testing)


@dataclass(frozen=True)
class TrainConfig:
    gamma: tuple  # 5 goal weights over [unique ext, unique int, red, syn, residual entropy]
    binning: str = "fixed"  # fixed | adaptive | soft
    n_bins: int = 60  # bins of the internal source (soft: of both sources)
    epochs: int = 5000
    early_stopping: bool = True
    stop_overlap: float = 0.95
    lr: float = 0.05
    external_weight: float = 2.3
    init_scale: float = 1e-3
    device: str = "cpu"
    dtype: str = "float32"
    backend: str = "numba"  # numba (closed-form CPU gradient) | autograd (through sx_atoms)
    optimizer: str = "adam"  # adam | sgd (ablation)
    train_external: bool = False  # train each neuron's external weight (ablation)
    testing: str = "deterministic"  # deterministic | stochastic recall check (ablation)
    stochastic_steps: int = 20  # STOCHASTIC_STEPS


@dataclass
class TrainResult:
    weights: np.ndarray  # (N, N) float64, W[i, j] = coupling j -> i, zero diagonal
    epochs_trained: int
    met_criterion: bool
    history: dict = field(default_factory=dict)  # epoch, loss, atoms (mean over neurons), overlap
    atoms: np.ndarray | None = None  # (N, 5) per-neuron atoms of the final network
    external_weights: np.ndarray | None = None  # (N,) the external weights at the end


def goal_coefficients(gamma) -> np.ndarray:
    """gamma over the five atoms -> weights of (red, I(Y;S1), I(Y;S2), I(Y;S1,S2), H(Y)).

    u1 = I1 - red, u2 = I2 - red, syn = I12 - I1 - I2 + red, h_res = H - I12. ``gamma`` may be
    one goal (5,) or one per network (B, 5); the result has the same shape.
    """
    g = np.asarray(gamma, dtype=np.float64)
    g1, g2, g3, g4, g5 = (g[..., k] for k in range(5))
    return np.stack([g3 + g4 - g1 - g2, g1 - g4, g2 - g4, g4 - g5, g5], axis=-1)


def checkpoint_epochs(epochs: int) -> np.ndarray:
    """Completed-epoch counts after which recall is checked (the authors' schedule).

    The authors' ``np.logspace(0, log10(epochs), 15, dtype=int)`` read as 1-based epoch numbers
    (recall tested after that many completed epochs), plus the last epoch: for 5000 epochs
    1, 3, 6, 11, 20, 38, 70, 129, 238, 438, 805, 1480, 2721, 4999, 5000 (the int cast rounds
    5000 down to 4999, so the end of training is its own checkpoint). Empty for 0 epochs.
    """
    if epochs < 1:
        return np.zeros(0, dtype=np.int64)
    marks = np.logspace(0, math.log10(epochs), N_CHECKPOINTS, dtype=int)
    return np.unique(np.append(np.clip(marks, 1, epochs), epochs)).astype(np.int64)


def torch_rand64(n: int, seed: int) -> np.ndarray:
    """The n float64 numbers ``torch.rand(n, generator=torch.Generator().manual_seed(seed),
    dtype=torch.float64)`` draws, without torch (whose import costs seconds at start-up).

    torch's CPU generator is the 32-bit Mersenne Twister seeded with the seed's low 32 bits
    (numpy's RandomState is the same generator); each double takes two outputs, high word
    first, and keeps the low 53 bits of the 64 (tests check equality with torch).
    """
    raw = np.random.RandomState(int(seed) & 0xFFFFFFFF).randint(
        0, 2**32, size=2 * n, dtype=np.uint32).astype(np.uint64)
    bits = ((raw[0::2] << np.uint64(32)) | raw[1::2]) & np.uint64((1 << 53) - 1)
    return bits.astype(np.float64) * 2.0**-53


def init_weights(n_units: int, seed: int, scale: float, dtype="float64") -> np.ndarray:
    """U(-1/sqrt N, 1/sqrt N) (torch's nn.Linear default) * scale, zero diagonal; from ``seed``.

    The same numbers as drawing them with a torch generator seeded with ``seed``."""
    bound = 1.0 / math.sqrt(n_units)
    w = (torch_rand64(n_units * n_units, seed).reshape(n_units, n_units) * 2 - 1) * bound
    np.fill_diagonal(w, 0.0)
    return (w * scale).astype(np.dtype(str(dtype).replace("torch.", "")))


# ----------------------------------------------------------------------------- torch reference
def hard_bins(fields: torch.Tensor, valid: torch.Tensor, cfg: TrainConfig) -> torch.Tensor:
    """Bin index of every recurrent field (B, N, P), by :mod:`amem.pid.binning` (no gradient).

    Fixed: n_bins right-closed bins on [-20, 20] after clamping into [-20 + 1e-4, 20] (the
    authors' bucketize). Adaptive: each neuron's fields divided by their max |c| over its
    network's stored patterns, then n_bins bins on [-1, 1]. Padding samples are set to 0 first
    (they never raise a max and carry zero weight in the joint). The Numba kernel bins by the
    same rule in its own arithmetic (tests/test_infomorphic_kernels.py checks it against this
    module up to values within float rounding of an edge).
    """
    import torch

    from amem.pid.binning import adaptive_bin_index, fixed_bin_index

    x = torch.where(valid[:, None, :], fields.detach().double(), 0.0)
    if cfg.binning == "adaptive":  # the module wants samples on axis 0
        return adaptive_bin_index(x.permute(2, 0, 1), cfg.n_bins).permute(1, 2, 0)
    return fixed_bin_index(x, cfg.n_bins, *FIXED_RANGE)


def bin_range(cfg: TrainConfig) -> tuple[float, float]:
    return FIXED_RANGE if cfg.binning == "fixed" else (-1.0, 1.0)


def joint_distribution(fields, theta, ext, valid, n_valid, cfg: TrainConfig,
                       ext_w=None) -> torch.Tensor:
    """p[b, i, s1, s2, y] of every neuron (y index 0 = -1, 1 = +1); differentiable in theta.

    ``ext_w`` (B, N): each neuron's external weight (default ``cfg.external_weight``); only the
    soft binning sees its value (hard bins of r = w x are the sign of x for any w > 0)."""
    import torch

    n_net, n_units, _ = fields.shape
    w = valid[:, None, :].to(theta.dtype) / n_valid.to(theta.dtype)[:, None, None]
    if cfg.binning == "soft":
        scale = cfg.external_weight if ext_w is None else ext_w[..., None]
        r = ext.to(theta.dtype) * scale
        m1 = _soft_membership(r, valid, cfg.n_bins, SOFT_TAU[0])
        m2 = _soft_membership(fields, valid, cfg.n_bins, SOFT_TAU[1])
        q = torch.stack([1 - theta, theta], -1) * w[..., None]
        return torch.einsum("bnps,bnpt,bnpy->bnsty", m1, m2, q)
    k = hard_bins(fields, valid, cfg)
    cell = (ext > 0).long() * cfg.n_bins + k
    zeros = theta.new_zeros(n_net, n_units, 2 * cfg.n_bins)
    p_plus = zeros.scatter_add(2, cell, theta * w)
    p_minus = zeros.scatter_add(2, cell, (1 - theta) * w)
    return torch.stack([p_minus, p_plus], -1).reshape(n_net, n_units, 2, cfg.n_bins, 2)


def _soft_membership(x, valid, n_bins, tau):
    """Normalised soft bin weights (B, N, P, n_bins) by :func:`amem.pid.binning.soft_bin_weights`;
    edges [min - 1, max + 1] over each network's valid samples (all its neurons), zero weights
    for the padding."""
    import torch

    from amem.pid.binning import soft_bin_range, soft_bin_weights

    out = []
    for b in range(x.shape[0]):
        m = int(valid[b].sum())
        lo, hi = soft_bin_range(x[b, :, :m])
        weights = soft_bin_weights(x[b, :, :m], n_bins, lo, hi, tau)
        pad = weights.new_zeros(x.shape[1], x.shape[2] - m, n_bins)
        out.append(torch.cat([weights, pad], 1))
    return torch.stack(out)


def autograd_grad(weights, xt, x, ext, valid, n_valid, gamma_t, cfg: TrainConfig, ext_w=None):
    """dL/dW by autograd through :func:`sx_atoms` (any binning, any device).

    ``gamma_t``: the goal of every network, (B, 5) (or one goal, (5,), for all); ``ext_w``
    (B, N): the external weights (default ``cfg.external_weight``). Returns (grad, p, grad_ext),
    grad_ext = dL/d ext_w (None without ``ext_w``)."""
    import torch

    with torch.enable_grad():
        w = weights.detach().requires_grad_(True)
        v = None if ext_w is None else ext_w.detach().requires_grad_(True)
        fields = torch.bmm(w, xt)
        drive = cfg.external_weight * xt if v is None else v[..., None] * xt
        theta = torch.sigmoid(fields + drive)
        p = joint_distribution(fields, theta, ext, valid, n_valid, cfg, v)
        atoms = sx_atoms(p, torch)
        loss = -(atoms * (gamma_t[:, None, :] if gamma_t.dim() == 2 else gamma_t)).sum()
        grads = torch.autograd.grad(loss, [w] if v is None else [w, v])
    grad = grads[0]
    grad.diagonal(dim1=1, dim2=2).zero_()
    if not torch.isfinite(grad).all():
        raise _diverged("the gradient is not finite")
    return grad, p.detach(), (grads[1] if v is not None else None)


def _diverged(what: str) -> TrainingError:
    return TrainingError(f"infomorphic training diverged ({what}); lower lr or use dtype='float64'")


# ----------------------------------------------------------------------------- the ensemble
def _Bucket(ids, patterns, seeds, cfg: TrainConfig, gammas=None):
    """Networks of similar P trained together: padded (B, P_max, N) patterns plus optimiser
    state; numpy arrays and Numba kernels for the closed form (no torch needed), torch tensors
    for autograd (any device).

    Each network has its own goal (``gammas``, (B, 5); default ``cfg.gamma`` for all): the goal
    only enters the per-neuron PID gradient, so networks with different goals share every
    batched operation.
    """
    kind = _NumbaBucket if cfg.backend == "numba" else _TorchBucket
    return kind(ids, patterns, seeds, cfg, gammas)


class _BucketBase:
    def _setup(self, ids, patterns, cfg, gammas):
        self.cfg = cfg
        self.ids = np.asarray(ids)
        if gammas is None:
            gammas = [cfg.gamma] * len(self.ids)
        self.gammas = np.asarray(gammas, dtype=np.float64).reshape(len(self.ids), 5)
        n_units = patterns[0].shape[1]
        x = np.zeros((len(ids), max(p.shape[0] for p in patterns), n_units), np.int8)
        for b, p in enumerate(patterns):
            x[b, : p.shape[0]] = p
        self.grad_ext = None
        self.step_count = 0
        return x, np.array([p.shape[0] for p in patterns], dtype=np.int64)

    def __len__(self):
        return len(self.ids)

    def step(self, grad):
        """One optimiser step on W (and the external weights if they train)."""
        if self.cfg.optimizer == "sgd":
            self.step_count += 1
            self._sgd(grad)
        else:
            self.adam_step(grad)
        if self.cfg.train_external:
            self._step_external()


class _NumbaBucket(_BucketBase):
    """CPU networks, closed-form gradient: float32/64 numpy arrays, Numba kernels; the matrix
    products by :mod:`amem.kernels.small_gemm` where it applies (float32 on AVX-512), else by
    numpy's matmul."""

    def __init__(self, ids, patterns, seeds, cfg: TrainConfig, gammas=None):
        x, n_valid = self._setup(ids, patterns, cfg, gammas)
        dt = np.dtype(cfg.dtype)
        self.n_valid = n_valid
        self.x = x.astype(dt)  # (B, P, N)
        n_units = x.shape[2]
        # external weights (B, N): frozen at cfg.external_weight unless cfg.train_external
        self.ext_w = np.full((len(self.ids), n_units), cfg.external_weight, dtype=dt)
        self.ext_m = np.zeros_like(self.ext_w)
        self.ext_v = np.zeros_like(self.ext_w)
        self.w = np.stack([init_weights(n_units, s, cfg.init_scale, dt) for s in seeds])
        self.m = np.zeros_like(self.w)
        self.v = np.zeros_like(self.w)
        self.bin_range = np.array(bin_range(cfg), dtype=np.float64)
        self.no_hist = np.zeros((0, 0, 0))
        self._derive()

    def _derive(self):
        """Arrays that follow from x and n_valid (rebuilt after networks leave)."""
        p_max = int(self.n_valid.max())
        self.x = np.ascontiguousarray(self.x[:, :p_max])
        self.xt = np.ascontiguousarray(self.x.transpose(0, 2, 1))  # (B, N, P)
        self.ext = self.xt.astype(np.int8)
        b, n, p = self.xt.shape
        self.fields = np.empty((b, n, p), dtype=self.x.dtype)
        self.dfield = np.empty_like(self.fields)
        self.cells = np.empty((b, n, p), np.int16)
        self.hist = np.empty((3, b, n, 2 * self.cfg.n_bins))
        self.ext_w64 = self.ext_w.astype(np.float64)
        if self.cfg.binning == "soft":
            self.soft_joint = np.empty((b, n, self.cfg.n_bins, self.cfg.n_bins, 2))
            self.no_joint = np.zeros((0, 0, 0, 0, 0))
            self.c_range = np.empty((b, 2))  # the field's soft range, per network (each epoch)
            # the external drive's (frozen weights: fixed): r = v x takes two values per neuron
            from amem.kernels.infomorphic_soft import network_ranges
            from amem.pid.binning import SOFT_PADDING

            self.r_range = np.empty((b, 2))
            network_ranges(self.ext_w64[:, :, None] * self.ext, self.n_valid, self.r_range)
            self.r_range += (-SOFT_PADDING, SOFT_PADDING)
        self.grad = np.empty((b, n, n), dtype=self.x.dtype)
        self.diag = np.arange(n)
        self.coef = np.ascontiguousarray(goal_coefficients(self.gammas))
        self.n_chunks = 8 * _numba_threads()  # a few work units per thread balance the load
        from amem.kernels.small_gemm import packed

        self.numba_products = use_numba_products(self.x.dtype)
        if self.numba_products:  # the patterns' two matrices, packed once for the tiles
            self.xt_panels = packed(self.xt)
            self.x_panels = packed(self.x)
            self.n_units_of = np.full(b, n, np.int64)
        else:
            self.p_groups = pattern_count_groups(self.n_valid)

    def gradient(self, want_hist=False, zero_diagonal=True):
        """dL/dW for every network (and, if asked, the histogram in ``self.hist``).

        ``zero_diagonal=False`` leaves the diagonal as the matrix product gives it (the Adam
        kernel ignores it; zeroing it costs a strided pass per epoch).
        """
        cfg = self.cfg
        if self.numba_products:
            from amem.kernels.small_gemm import products

            products(self.w, self.n_units_of, self.xt_panels, self.n_valid, self.fields)
        else:
            for b, p in self.p_groups:
                np.matmul(self.w[b], self.xt[b, :, :p], out=self.fields[b, :, :p])
        if cfg.binning == "soft":
            self._soft_field_grad(want_hist)
        else:
            self._hard_field_grad(want_hist)
        if self.numba_products:
            products(self.dfield, self.n_valid, self.x_panels, self.n_units_of, self.grad)
        else:
            for b, p in self.p_groups:
                np.matmul(self.dfield[b, :, :p], self.x[b, :p], out=self.grad[b])
        if cfg.train_external:
            # hard bins carry no gradient and theta depends on r + c, so dL/dv_i =
            # sum_mu dL/dc_i^mu x_i^mu: the diagonal of the product just computed
            self.grad_ext = self.grad[:, self.diag, self.diag].copy()
        if zero_diagonal:
            self.grad[:, self.diag, self.diag] = 0
        return self.grad, None

    def _hard_field_grad(self, want_hist):
        from amem.kernels.infomorphic_grad import infomorphic_field_grad

        cfg = self.cfg
        hist = self.hist if want_hist else (self.no_hist,) * 3
        bad = infomorphic_field_grad(self.fields, self.ext, self.ext_w64, self.n_valid, self.coef,
                                     self.bin_range, cfg.n_bins, cfg.binning == "adaptive",
                                     self.dfield, self.cells, hist[0], hist[1], hist[2],
                                     self.n_chunks)
        if bad:
            raise _diverged("non-finite recurrent fields")

    def _soft_field_grad(self, want_joint):
        """Soft bins (frozen external weights): :mod:`amem.kernels.infomorphic_soft`; the
        ranges are each network's min - 1 and max + 1 (:func:`amem.pid.binning.soft_bin_range`)."""
        from amem.kernels.infomorphic_soft import network_ranges, soft_field_grad
        from amem.pid.binning import SOFT_PADDING

        cfg = self.cfg
        if cfg.train_external:
            raise TrainingError("soft binning with a trainable external weight needs "
                                "backend='autograd'")
        network_ranges(self.fields, self.n_valid, self.c_range)
        self.c_range += (-SOFT_PADDING, SOFT_PADDING)
        bad = soft_field_grad(self.fields, self.ext, self.ext_w64, self.n_valid, self.coef,
                              self.r_range, self.c_range, cfg.n_bins, SOFT_TAU[0], SOFT_TAU[1],
                              self.dfield, self.soft_joint if want_joint else self.no_joint,
                              self.n_chunks)
        if bad:
            raise _diverged("non-finite recurrent fields")

    def joint_numpy(self) -> np.ndarray:
        """Joint distributions (B, N, 2, n_bins, 2) at the current weights (float64; soft
        binning: (B, N, n_bins, n_bins, 2))."""
        self.gradient(want_hist=True)
        if self.cfg.binning == "soft":
            return self.soft_joint.copy()
        _, tp, tm = self.hist
        m = self.n_valid[:, None, None].astype(np.float64)
        p = np.stack([tm / m, tp / m], -1)
        b, n = p.shape[:2]
        return p.reshape(b, n, 2, self.cfg.n_bins, 2)

    def _sgd(self, grad):
        grad = np.asarray(grad)
        grad[:, self.diag, self.diag] = 0
        self.w += self.w.dtype.type(-self.cfg.lr) * grad

    def _step_external(self):
        """SGD or Adam (torch's formulas, same step count) on the (B, N) external weights."""
        g, lr, t = self.grad_ext, self.cfg.lr, self.w.dtype.type
        if self.cfg.optimizer == "sgd":
            self.ext_w += t(-lr) * g
        else:
            b1, b2 = ADAM_BETAS
            self.ext_m += t(1 - b1) * (g - self.ext_m)
            self.ext_v *= t(b2)
            self.ext_v += t(1 - b2) * g * g
            denom = np.sqrt(self.ext_v) / t(math.sqrt(1 - b2 ** self.step_count)) + t(ADAM_EPS)
            self.ext_w -= t(lr / (1 - b1 ** self.step_count)) * (self.ext_m / denom)
        if not np.isfinite(self.ext_w).all():
            raise _diverged("non-finite external weights")
        self.ext_w64 = self.ext_w.astype(np.float64)

    def adam_step(self, grad):
        """torch.optim.Adam's single-tensor update (defaults, no weight decay), batched: one
        fused Numba pass (:func:`amem.kernels.infomorphic_grad.adam_step`)."""
        from amem.kernels.infomorphic_grad import adam_step

        self.step_count += 1
        adam_step(self.w, self.m, self.v, np.asarray(grad), self.cfg.lr, *ADAM_BETAS, ADAM_EPS,
                  self.step_count)

    def keep(self, mask: np.ndarray):
        """Drop the networks where ``mask`` is False."""
        self.ids = self.ids[mask]
        self.gammas = self.gammas[mask]
        for name in ("w", "m", "v", "x", "n_valid", "ext_w", "ext_m", "ext_v"):
            setattr(self, name, getattr(self, name)[mask])
        if len(self.ids):
            self._derive()


class _TorchBucket(_BucketBase):
    """Networks trained by autograd through :func:`sx_atoms` (any binning, any device)."""

    def __init__(self, ids, patterns, seeds, cfg: TrainConfig, gammas=None):
        import torch

        x, n_valid = self._setup(ids, patterns, cfg, gammas)
        dev, dt = torch.device(cfg.device), getattr(torch, cfg.dtype)
        self.gamma_t = torch.tensor(self.gammas, dtype=dt, device=dev)
        self.n_valid = torch.tensor(n_valid, dtype=torch.int64, device=dev)
        self.x = torch.from_numpy(x).to(dev, dt)  # (B, P, N)
        n_units = x.shape[2]
        self.ext_w = torch.full((len(self.ids), n_units), cfg.external_weight, dtype=dt, device=dev)
        self.ext_m = torch.zeros_like(self.ext_w)
        self.ext_v = torch.zeros_like(self.ext_w)
        w = np.stack([init_weights(n_units, s, cfg.init_scale, cfg.dtype) for s in seeds])
        self.w = torch.from_numpy(w).to(dev)
        self.m = torch.zeros_like(self.w)
        self.v = torch.zeros_like(self.w)
        self._derive()

    def _derive(self):
        import torch

        p_max = int(self.n_valid.max())
        self.x = self.x[:, :p_max].contiguous()
        self.xt = self.x.transpose(1, 2).contiguous()  # (B, N, P)
        self.ext = self.xt.to(torch.int8)
        self.valid = torch.arange(p_max, device=self.x.device)[None, :] < self.n_valid[:, None]

    def gradient(self, want_hist=False, zero_diagonal=True):
        """dL/dW for every network by autograd (diagonal 0), and the joint distributions."""
        grad, p, self.grad_ext = autograd_grad(
            self.w, self.xt, self.x, self.ext, self.valid, self.n_valid, self.gamma_t, self.cfg,
            self.ext_w if self.cfg.train_external else None)
        return grad, p

    def joint_numpy(self) -> np.ndarray:
        _, p, _ = autograd_grad(self.w, self.xt, self.x, self.ext, self.valid, self.n_valid,
                                self.gamma_t, self.cfg, self.ext_w)
        return p.double().cpu().numpy()

    def _sgd(self, grad):
        self.w.add_(grad, alpha=-self.cfg.lr)

    def _step_external(self):
        import torch

        g, lr = self.grad_ext, self.cfg.lr
        if self.cfg.optimizer == "sgd":
            self.ext_w.add_(g, alpha=-lr)
        else:
            b1, b2 = ADAM_BETAS
            self.ext_m.lerp_(g, 1 - b1)
            self.ext_v.mul_(b2).addcmul_(g, g, value=1 - b2)
            denom = (self.ext_v.sqrt() / math.sqrt(1 - b2 ** self.step_count)).add_(ADAM_EPS)
            self.ext_w.addcdiv_(self.ext_m, denom, value=-lr / (1 - b1 ** self.step_count))
        if not torch.isfinite(self.ext_w).all():
            raise _diverged("non-finite external weights")

    def adam_step(self, grad, use_torch=None):
        """torch.optim.Adam's single-tensor update (defaults, no weight decay), batched.

        On the CPU one fused Numba pass (:func:`amem.kernels.infomorphic_grad.adam_step`);
        elsewhere (or with ``use_torch=True``) torch's elementwise operations, which need
        ``grad``'s diagonal to be 0 (as :func:`autograd_grad` leaves it).
        """
        b1, b2 = ADAM_BETAS
        self.step_count += 1
        if use_torch is None:
            use_torch = self.w.device.type != "cpu"
        if not use_torch:
            from amem.kernels.infomorphic_grad import adam_step

            adam_step(self.w.numpy(), self.m.numpy(), self.v.numpy(), grad.numpy(), self.cfg.lr,
                      b1, b2, ADAM_EPS, self.step_count)
            return
        self.m.lerp_(grad, 1 - b1)
        self.v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
        bc1 = 1 - b1 ** self.step_count
        bc2_sqrt = math.sqrt(1 - b2 ** self.step_count)
        denom = (self.v.sqrt() / bc2_sqrt).add_(ADAM_EPS)
        self.w.addcdiv_(self.m, denom, value=-self.cfg.lr / bc1)

    def keep(self, mask: np.ndarray):
        """Drop the networks where ``mask`` is False."""
        import torch

        idx = torch.as_tensor(np.flatnonzero(mask), device=self.w.device)
        self.ids = self.ids[mask]
        self.gammas = self.gammas[mask]
        for name in ("w", "m", "v", "x", "n_valid", "gamma_t", "ext_w", "ext_m", "ext_v"):
            setattr(self, name, getattr(self, name).index_select(0, idx))
        if len(self.ids):
            self._derive()


#: ``AMEM_GEMM``: ``auto`` (amem's small-GEMM kernel on AVX-512 CPUs, numpy's matmul
#: elsewhere), ``numba`` or ``numpy`` (that one, always). Only float32 training uses the kernel.
GEMM_CHOICES = ("auto", "numba", "numpy")


def gemm_choice() -> str:
    """``AMEM_GEMM`` (default ``auto``), checked."""
    value = os.environ.get("AMEM_GEMM", "").strip() or "auto"
    if value not in GEMM_CHOICES:
        raise AmemError(f"AMEM_GEMM={value!r} is not one of {', '.join(GEMM_CHOICES)}; "
                        "unset it or use AMEM_GEMM=auto")
    return value


def use_numba_products(dtype) -> bool:
    """Whether a training in ``dtype`` runs its matrix products in
    :func:`amem.kernels.small_gemm.products` (else numpy's matmul)."""
    from amem.kernels.small_gemm import jit_enabled, target_has_avx512

    choice = gemm_choice()
    if np.dtype(dtype) != np.float32 or choice == "numpy" or not jit_enabled():
        return False
    return choice == "numba" or target_has_avx512()


def pattern_count_groups(n_valid: np.ndarray, max_groups: int | None = None
                         ) -> list[tuple[slice, int]]:
    """The matrix products' batches: (networks, columns) for each run of networks with the
    same P, so that each product covers its networks' own P columns, not the bucket's padded
    P_max (the buckets hold P from 0.8 P_max up: the padding was a tenth of the Fig. 2C
    protocol's product columns). With more than ``max_groups`` runs (networks of many
    different P, as in a goal search) the per-call cost outweighs that: one padded batch.
    Either way a network's products are computed alone (numpy calls BLAS per network), so only
    its own P, or the bucket's P_max, enters their rounding."""
    starts = np.flatnonzero(np.diff(n_valid, prepend=-1))
    if len(starts) > (MAX_P_GROUPS if max_groups is None else max_groups):
        return [(slice(None), int(n_valid.max()))]
    ends = np.append(starts[1:], len(n_valid))
    return [(slice(int(lo), int(hi)), int(n_valid[lo])) for lo, hi in zip(starts, ends)]


def _numpy(a) -> np.ndarray:
    """A CPU numpy view of a numpy array or a torch tensor."""
    return a if isinstance(a, np.ndarray) else a.detach().cpu().numpy()


def _numba_threads() -> int:
    import numba

    return numba.get_num_threads()


def sync_mean_overlap(weights, x, n_valid, max_steps: int, give_up_below=-np.inf) -> np.ndarray:
    """Mean overlap of synchronous recall from the clean patterns, external input off (B,).

    NaN for networks that were given up (their mean cannot reach ``give_up_below``).
    """
    from amem.kernels.ensemble_recall import ensemble_sync_overlap

    wt = np.ascontiguousarray(_numpy(weights).transpose(0, 2, 1))
    xs = _numpy(x).astype(np.int8)
    return ensemble_sync_overlap(wt, xs, _numpy(n_valid), max_steps, float(give_up_below))


def stochastic_states(weights: np.ndarray, cues: np.ndarray, steps: int,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stochastic synchronous recall, external input off: s_i ~ +1 with p = sigmoid(sum_j W_ij s_j).

    From the cues (M, N) one step, then ``steps`` more (all units at once, beta = 1 as in
    training). Returns (state after the first step, states after each further step (steps, M, N)).
    """
    s = np.asarray(cues, dtype=np.float64)
    out = []
    for t in range(steps + 1):  # noqa: B007
        theta = 1.0 / (1.0 + np.exp(-(s @ weights.T)))
        s = np.where(rng.random(s.shape) < theta, 1.0, -1.0)
        out.append(s)
    return out[0], np.stack(out[1:]) if steps else np.zeros((0,) + s.shape)


def stochastic_accuracy(weights, x, n_valid, steps: int, seeds, epoch: int) -> np.ndarray:
    """The authors' stochastic test ("acc_stochastic", spec §4.2), per network (B,).

    One stochastic step from each stored pattern (external input off), then ``steps`` more; the
    accuracy is the mean over those further steps and the patterns of the cosine similarity (the
    overlap) with the state after the first step. Blümel et al. (2025) use it only for the
    "ablated" row of their ablation ladder. Random numbers from (seed, epoch): reproducible.
    """
    w = _numpy(weights).astype(np.float64)
    xs = _numpy(x).astype(np.float64)
    out = np.empty(len(w))
    for b, m in enumerate(_numpy(n_valid).tolist()):
        rng = np.random.default_rng([int(seeds[b]), int(epoch), 7])
        first, rest = stochastic_states(w[b], xs[b, :m], steps, rng)
        out[b] = float((rest * first).sum(-1).mean() / w.shape[-1]) if steps else 1.0
    return out


def _bucket_ranges(sizes: np.ndarray, ratio: float = 0.8) -> list[np.ndarray]:
    """Split network indices (sorted by P, descending) into buckets with P_min >= ratio * P_max."""
    order = np.argsort(-sizes, kind="stable")
    buckets, current = [], []
    for idx in order:
        if current and sizes[idx] < ratio * sizes[current[0]]:
            buckets.append(np.array(current))
            current = []
        current.append(idx)
    if current:
        buckets.append(np.array(current))
    return buckets


def train_ensemble(pattern_sets: list[np.ndarray], seeds: list[int], cfg: TrainConfig,
                   callback=None, gammas=None) -> list[TrainResult]:
    """Train one network per (patterns, seed) pair; all share N and the config.

    ``gammas`` (one 5-vector per network) gives each network its own goal (default
    ``cfg.gamma`` for all): many goals train in one batched computation, and a network's result
    does not depend on the goals of the others (up to float rounding of the batched products).

    On the CPU the networks are dealt out to ``AMEM_THREADS`` Python threads (default 2, at most
    the cores), each training its share with single-threaded torch and Numba calls: per epoch
    a network needs a few small operations, and splitting every one of them over the cores
    costs a synchronisation each (measured: 2 threads per operation ran at 80% of two
    independent single-threaded trainings). Networks are dealt in order of P so every thread
    gets the same mix of loads. A network's result does not depend on the split, up to
    floating-point rounding of the batched matrix products. ``callback(epoch, n_training)``
    is called per thread.
    """
    import numba

    from amem.threads import limited

    threads = training_threads() if cfg.device == "cpu" else 1
    split = threads > 1 and _numba_is_thread_safe()
    if gammas is None:
        gammas = [cfg.gamma] * len(pattern_sets)
    gammas = [tuple(float(x) for x in g) for g in gammas]
    groups = _deal(np.array([p.shape[0] for p in pattern_sets]), threads if split else 1)
    # one thread per library in each training thread when the networks are split over threads
    # (numpy's BLAS pool is process-wide: limited() caps it through threadpoolctl)
    with limited(torch=1 if len(groups) > 1 else threads,
                 blas=1 if len(groups) > 1 else threads):
        if len(groups) == 1:
            return _train_with_numba_threads(pattern_sets, seeds, gammas, cfg, callback,
                                             min(threads, numba.config.NUMBA_NUM_THREADS))
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(groups), thread_name_prefix="amem-train") as pool:
            parts = [pool.submit(_train_with_numba_threads, [pattern_sets[i] for i in g],
                                 [seeds[i] for i in g], [gammas[i] for i in g], cfg, callback,
                                 1) for g in groups]
            parts = [f.result() for f in parts]
    results: list = [None] * len(pattern_sets)
    for g, part in zip(groups, parts):
        for i, r in zip(g, part):
            results[i] = r
    return results


def _numba_is_thread_safe() -> bool:
    """Whether Numba's threading layer allows parallel kernels from several threads at once.

    The ``workqueue`` layer (chosen where neither OpenMP nor TBB is available, e.g. some macOS
    installs) aborts the process on concurrent launches; there training splits each operation
    over the threads instead. The layer is known once a parallel kernel has run: run one on
    nothing.
    """
    import numba

    from amem.kernels.infomorphic_grad import adam_step

    empty = np.zeros((0, 1, 1), np.float32)
    adam_step(empty, empty, empty, empty, 0.0, 0.9, 0.999, 1e-8, 1)
    return numba.threading_layer() != "workqueue"


def _deal(sizes: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """Network indices dealt round-robin in order of P into at most ``n_groups`` groups."""
    order = np.argsort(-sizes, kind="stable")
    groups = [np.sort(order[k::n_groups]) for k in range(n_groups)]
    return [g for g in groups if len(g)]


def _train_with_numba_threads(pattern_sets, seeds, gammas, cfg, callback, numba_threads):
    from amem.threads import limited

    with limited(numba=numba_threads, torch=None, blas=None):  # Numba's count is thread-local
        return _train(pattern_sets, seeds, gammas, cfg, callback)


def training_threads() -> int:
    """``AMEM_THREADS`` (default 2), capped at the cores this process may use."""
    from amem.threads import env_threads

    return env_threads("AMEM_THREADS")


def _train(pattern_sets, seeds, gammas, cfg, callback):
    n_total = len(pattern_sets)
    n_units = pattern_sets[0].shape[1]
    sizes = np.array([p.shape[0] for p in pattern_sets])
    buckets = [_Bucket(ids, [pattern_sets[i] for i in ids], [seeds[i] for i in ids], cfg,
                       [gammas[i] for i in ids]) for ids in _bucket_ranges(sizes)]
    marks = set(checkpoint_epochs(cfg.epochs).tolist())
    histories = [{"epoch": [], "loss": [], "atoms": [], "mean_overlap": []} for _ in range(n_total)]
    results: list[TrainResult | None] = [None] * n_total
    gammas = np.asarray(gammas, dtype=np.float64)

    def finish(bucket, mask, epochs_done, met, atoms_pn):
        for b in np.flatnonzero(mask):
            i = bucket.ids[b]
            h = histories[i]
            results[i] = TrainResult(
                weights=_numpy(bucket.w[b]).astype(np.float64), epochs_trained=epochs_done,
                met_criterion=bool(met[b]),
                history={k: np.asarray(v) for k, v in h.items()},
                atoms=None if atoms_pn is None else atoms_pn[b],
                external_weights=_numpy(bucket.ext_w[b]).astype(np.float64))

    for epoch in range(cfg.epochs):
        for bucket in buckets:
            if not len(bucket):
                continue
            grad, _ = bucket.gradient(zero_diagonal=cfg.backend != "numba")
            bucket.step(grad)
        if epoch + 1 not in marks:
            continue
        last = epoch == cfg.epochs - 1
        for bucket in buckets:
            if not len(bucket):
                continue
            if not np.isfinite(_numpy(bucket.w)).all():
                raise _diverged(f"non-finite weights at epoch {epoch + 1}")
            joint = bucket.joint_numpy()
            used = joint.sum(axis=(0, 1, 2, 4)) > 0  # empty field bins change no atom
            atoms = sx_atoms(np.ascontiguousarray(joint[:, :, :, used]), np)  # (B, N, 5)
            if cfg.testing == "stochastic" and (last or cfg.early_stopping):
                overlap = stochastic_accuracy(bucket.w, bucket.x, bucket.n_valid,
                                              cfg.stochastic_steps, [seeds[i] for i in bucket.ids],
                                              epoch + 1)
            elif last:
                overlap = sync_mean_overlap(bucket.w, bucket.x, bucket.n_valid, n_units)
            elif cfg.early_stopping:  # only the decision is needed: hopeless networks give up
                overlap = sync_mean_overlap(bucket.w, bucket.x, bucket.n_valid, n_units,
                                            cfg.stop_overlap)
            else:  # without early stopping the recall check is only needed at the end
                overlap = np.full(len(bucket), np.nan)
            met = overlap >= cfg.stop_overlap
            for b, i in enumerate(bucket.ids):
                h = histories[i]
                h["epoch"].append(epoch + 1)
                h["loss"].append(float(-(atoms[b] @ gammas[i]).sum()))
                h["atoms"].append(atoms[b].mean(0))
                h["mean_overlap"].append(float(overlap[b]))
            done = (met if cfg.early_stopping else np.zeros(len(bucket), bool)) | last
            if done.any():
                finish(bucket, done, epoch + 1, met, atoms)
                bucket.keep(~done)
        if callback is not None:
            callback(epoch + 1, sum(len(b) for b in buckets))
        if all(len(b) == 0 for b in buckets):
            break
    for bucket in buckets:  # epochs == 0: untrained networks
        if len(bucket):
            finish(bucket, np.ones(len(bucket), bool), 0, np.zeros(len(bucket), bool), None)
    return results

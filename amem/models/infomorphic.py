"""The redundancy-maximising infomorphic Hopfield network (Blümel et al. 2025)."""

from __future__ import annotations

from typing import Any

import numpy as np

from amem.base import TRIAL_BYTES_PER_ENTRY, ModelTags, async_order_bytes
from amem.errors import AmemError
from amem.recurrent import RecurrentMemory
from amem.validation import check_choice, check_float, check_int

#: Named goals: weights over [unique ext, unique int, redundancy, synergy, residual entropy].
GOALS = {
    "redundancy": (0.0, 0.0, 1.0, 0.0, 0.0),
    "joint-mi": (1.0, 1.0, 1.0, 1.0, 0.0),
    "external-mi": (1.0, 0.0, 1.0, 0.0, 0.0),
    "co-information": (0.0, 0.0, 1.0, -1.0, 0.0),
}
BINNINGS = ("fixed", "adaptive", "soft")
OPTIMIZERS = ("adam", "sgd")
TESTINGS = ("deterministic", "stochastic")
DEFAULT_BINS = {"fixed": 60, "adaptive": 60, "soft": 10}

#: The ablation ladder of Blümel et al. (2025, appendix "ablation"; spec §10): each row adds one
#: change to the row above; (row, change, model parameters, the paper's mean alpha_c over 20 runs).
#: The SGD rows' learning rate is not recoverable from the authors' material: ``lr`` keeps its
#: default (0.05) here and should be stated with any result.
ABLATION_LADDER = (
    (1, "ablated: stochastic testing, SGD, adaptive binning, trainable external weight at 1.0",
     {"testing": "stochastic", "optimizer": "sgd", "binning": "adaptive",
      "train_external": True, "external_weight": 1.0}, 0.40),
    (2, "+ deterministic testing",
     {"optimizer": "sgd", "binning": "adaptive", "train_external": True,
      "external_weight": 1.0}, 0.89),
    (3, "+ frozen external weight (1.0)",
     {"optimizer": "sgd", "binning": "adaptive", "external_weight": 1.0}, 0.92),
    (4, "+ external weight 2.3", {"optimizer": "sgd", "binning": "adaptive"}, 1.35),
    (5, "+ Adam", {"binning": "adaptive"}, 1.65),
    (6, "+ soft (marginal) binning", {"binning": "soft"}, 1.60),
    (7, "+ optimised goal (ii)", {"binning": "soft", "goal": [0.48, -0.16, 0.25, 0.04, -0.63]},
     1.69),
)


def parse_goal(goal: Any) -> tuple[float, ...]:
    """A goal name, a 5-vector, or a comma-separated string of 5 numbers -> 5 floats."""
    if isinstance(goal, str):
        if goal in GOALS:
            return GOALS[goal]
        if "," not in goal:
            raise AmemError(f"goal={goal!r} is not a known goal; choose one of "
                            f"{', '.join(map(repr, GOALS))} or pass 5 weights like '0,0,1,0,0'")
        parts = goal.split(",")
        try:
            goal = [float(x) for x in parts]
        except ValueError:
            raise AmemError(f"goal={goal!r} must be 5 comma-separated numbers, e.g. '0,0,1,0,0'") \
                from None
    try:
        vec = np.asarray(goal, dtype=np.float64)
    except (TypeError, ValueError):
        raise AmemError(f"goal={goal!r} must be a goal name or 5 numbers") from None
    if vec.ndim != 1 or vec.shape[0] != 5:
        raise AmemError(
            f"goal has {vec.size} weights ({goal!r}); pass 5, one per atom "
            "[unique external, unique internal, redundancy, synergy, residual entropy]")
    if not np.isfinite(vec).all():
        raise AmemError(f"goal={goal!r} contains NaN or infinity; pass 5 finite weights")
    if not vec.any():
        raise AmemError("goal is all zeros, so there is nothing to learn; pass a non-zero vector")
    return tuple(float(x) for x in vec)


class InfomorphicHopfield(RecurrentMemory):
    r"""Infomorphic Hopfield network trained to maximise a PID goal (default: redundancy).

    Blümel, Schneider, Neuhaus, Ehrlich, Graetz, Wibral, Makkeh & Priesemann, "Redundancy
    Maximization as a Principle of Associative Memory Learning", arXiv 2511.02584 (2025); neuron
    model from Makkeh et al., "A general framework for interpretable neural learning based on
    local information-theoretic goal functions", PNAS (2025), arXiv 2306.02149.

    Neuron i has an external input r_i = 2.3 x_i (its own pattern bit, frozen weight) and a
    recurrent input c_i = sum_{j != i} W_ij s_j (W trained, zero diagonal, not symmetric); it
    fires +1 with probability theta_i = sigmoid(r_i + c_i). Training: external input and state
    are both the clean stored patterns (full batch); the joint p(bin(r_i), bin(c_i), y) with y
    weighted by theta is decomposed with the shared-exclusion PID (:func:`amem.pid.sx.sx_atoms`)
    and Adam maximises sum_i gamma . atoms_i. Hard bins carry no gradient, so the gradient
    flows through theta only; on CPU it is computed in closed form
    (:mod:`amem.kernels.infomorphic_grad`, tested against autograd through ``sx_atoms``); soft
    bins add the path through the field's memberships (:mod:`amem.kernels.infomorphic_soft`,
    tested the same way).

    Recall runs without external input: s_i <- sign(sum_j W_ij s_j) through
    :class:`amem.recurrent.RecurrentMemory`, synchronously by default (the paper's), asynchronously
    with ``update="async"``. **Tie rule**: a zero field keeps the old state (the contract's rule),
    whereas the authors' recall maps theta = 1/2 to -1. For trained real-valued couplings an exact
    zero field has probability zero, so the two rules give the same results; keeping the contract's
    rule lets every model share the same kernel and makes a ±1 symmetric recall behave alike.

    Parameters
    ----------
    goal : str or sequence of 5 floats
        ``"redundancy"`` ([0,0,1,0,0], default), ``"joint-mi"`` ([1,1,1,1,0]), ``"external-mi"``
        ([1,0,1,0,0]), ``"co-information"`` ([0,0,1,-1,0]), or any 5 weights over
        [unique external, unique internal, redundancy, synergy, residual entropy] (also as a
        comma-separated string).
    binning : {"fixed", "adaptive", "soft"}
        fixed: 2 x n_bins equal bins on [-20, 20] (the authors' default); adaptive: each neuron's
        field divided by its max |c| and binned on [-1, 1]; soft: differentiable marginal bins
        (n_bins x n_bins on [min - 1, max + 1], temperatures 1e-5 and 0.5).
    n_bins : int or None
        Bins of the recurrent source (soft: of both sources); default 60 (soft: 10); at least 2.
    epochs : int
        Most training epochs (full-batch Adam steps), default 5000.
    early_stopping : bool
        Stop at the first checkpoint where synchronous recall from the clean patterns (external
        input off, at most N sweeps) reaches mean overlap ``stop_overlap`` (the ``paper``
        criterion). Checkpoints are the authors' (Blümel et al. 2025 code): after the completed
        epochs ``np.logspace(0, log10(epochs), 15, dtype=int)`` and after the last one, i.e.
        1, 3, 6, ..., 2721, 4999 and 5000 for 5000 epochs. The check is always synchronous; each
        cue stops on its own (the authors stop the whole batch of cues at once; see
        :mod:`amem.models.infomorphic_train`).
    stop_overlap : float
        Threshold of the early-stopping criterion (0.95).
    lr : float
        Adam learning rate (0.05; other Adam settings are torch's defaults).
    external_weight : float
        The external weight |w_T| (2.3, frozen unless ``train_external``). The ablation ladder
        runs rows 1-3 at 1.0 and adds 2.3 in row 4 (0.92 -> 1.35); the scaling appendix uses 3.0
        at N = 800.
    init_scale : float
        Initial W ~ U(-1/sqrt N, 1/sqrt N) * init_scale (0.001).
    device : {"cpu", "cuda"}
        Where training runs; recall always runs on the CPU kernels. On the CPU the networks of
        one ``store_many`` call are dealt to ``AMEM_THREADS`` threads (default 2).
    dtype : {"float32", "float64"}
        Training precision (the authors use float32).
    backend : {"auto", "numba", "autograd"}
        numba: closed-form gradient, CPU (soft bins only with a frozen external weight);
        autograd: torch autograd through ``sx_atoms`` (any device and binning). auto picks numba
        when it applies.
    update : {"sync", "async"}
        Recall order of the deterministic sign dynamics.
    optimizer : {"adam", "sgd"}
        Adam (the paper's; torch defaults) or plain full-batch gradient descent with the same
        ``lr`` (W <- W - lr dL/dW). The paper's ablation ladder (Blümel et al. 2025, appendix
        "ablation"; spec §10) trains its first four rows with SGD and adds Adam in row 5 (alpha_c
        1.35 -> 1.65); their SGD learning rate is not stated in what was readable, so state the
        ``lr`` with any SGD result.
    train_external : bool
        Train each neuron's external weight v_i (initialised at ``external_weight``) with the
        same optimiser, instead of freezing it (the paper's default, ``freeze_external``). The
        ablation's rows 1-2 use trainable external weights at scale 1, row 3 freezes them
        (0.89 -> 0.92). With hard bins the external source's bin is the sign of v_i x_i, so
        dL/dv_i = sum_mu dL/dc_i^mu x_i^mu (computed in closed form); with soft bins autograd
        also differentiates the soft membership of r = v x.
    testing : {"deterministic", "stochastic"}
        How recall is tested, for early stopping and by :meth:`recall`. deterministic (the
        paper's): sign dynamics to a fixed point or 2-cycle. stochastic (the ablation's row 1,
        "ablated"; spec §4.2 ``test_stochastic``): units sample s_i = +1 with probability
        sigmoid(sum_j W_ij s_j), synchronously, external input off; from each cue one step and
        20 more. Early stopping then uses the authors' stochastic accuracy (mean over the 20
        further steps of the overlap with the state after the first step), and :meth:`recall`
        returns the state after the last step (status ``max_steps``), which the harness scores
        against the pattern: a stricter score than the authors', which compares with the first
        sampled state. Random numbers come from ``seed``.
    seed : int
        Seeds the initial weights (and the asynchronous visiting orders).

    Attributes after ``store``: ``weights_`` (N, N), ``bias_`` (zeros), ``history_`` (dict of
    arrays per checkpoint: epoch, loss, atoms (mean over neurons), mean_overlap), ``atoms_``
    (N, 5) per-neuron atoms at the end, ``epochs_trained_``, ``met_criterion_``,
    ``external_weights_`` (N,) (all ``external_weight`` unless ``train_external``).

    Capacity (paper protocol, N = 100, 20 seeds): alpha_c = 1.59 in the paper. At very low load
    (P of a few patterns) recall is poor: a neuron whose bit is constant over the stored patterns
    gets no gradient from any PID goal (its external source carries no information), so its
    couplings stay at their tiny initial values (P = 1 at N = 100 gives overlap ~ 0).
    """

    # Not recalls_at_low_load: with very few patterns (the kit stores 3 at N = 64) a neuron whose
    # bit is the same in every pattern has a constant external source, so every PID goal term
    # that involves it is flat and its weights never leave the tiny initial values; such neurons
    # recall at chance. This is the model's (and the paper's) behaviour, not a defect of training;
    # tests/test_infomorphic.py checks recall at alpha = 0.4 instead.
    tags = ModelTags(recurrent_weights=True, recalls_at_low_load=False)
    #: the harness hands whole capacity curves to :meth:`store_many` (one batched training).
    preferred_chunk_size = 4096

    def __init__(self, *, goal: Any = "redundancy", binning: str = "fixed",
                 n_bins: int | None = None, epochs: int = 5000, early_stopping: bool = True,
                 stop_overlap: float = 0.95, lr: float = 0.05, external_weight: float = 2.3,
                 init_scale: float = 1e-3, device: str = "cpu", dtype: str = "float32",
                 backend: str = "auto", update: str = "sync", optimizer: str = "adam",
                 train_external: bool = False, testing: str = "deterministic",
                 seed: int = 0) -> None:
        super().__init__(seed=seed, update=update)
        self.goal = goal if isinstance(goal, str) else list(parse_goal(goal))
        self.gamma = parse_goal(goal)
        self.binning = check_choice("binning", binning, BINNINGS)
        if n_bins is not None:
            n_bins = check_int("n_bins", n_bins)
            if n_bins < 2:
                raise AmemError(f"n_bins={n_bins} must be >= 2 (one bin carries no information)")
            if n_bins > 32000:
                raise AmemError(f"n_bins={n_bins} must be <= 32000")
        self.n_bins = n_bins
        self.epochs = check_int("epochs", epochs, 0)
        self.early_stopping = check_choice("early_stopping", early_stopping, (True, False))
        self.stop_overlap = check_float("stop_overlap", stop_overlap, low=-1.0, high=1.0)
        self.lr = check_float("lr", lr, low=0.0, low_open=True)
        self.external_weight = check_float("external_weight", external_weight, low=0.0,
                                           low_open=True)
        self.init_scale = check_float("init_scale", init_scale, low=0.0)
        self.device = check_choice("device", device, ("cpu", "cuda"))
        self.dtype = check_choice("dtype", dtype, ("float32", "float64"))
        self.backend = check_choice("backend", backend, ("auto", "numba", "autograd"))
        self.optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
        self.train_external = check_choice("train_external", train_external, (True, False))
        self.testing = check_choice("testing", testing, TESTINGS)
        if self.backend == "numba" and not self._numba_applies():
            raise AmemError("backend='numba' needs device='cpu' and, with binning='soft', "
                            "train_external=False; use backend='autograd' (or 'auto')")

    def _numba_applies(self) -> bool:
        """The closed-form CPU gradient covers hard bins, and soft bins with a frozen external
        weight (a trainable one would also move the external source's soft memberships)."""
        return self.device == "cpu" and not (self.binning == "soft" and self.train_external)

    @classmethod
    def estimate_memory(cls, n_units: int, n_patterns: int, **params) -> int:
        """One network of a trained ensemble (the harness adds up the networks of a chunk).

        Weights, Adam's two moments and the gradient (4 N^2 in the training dtype), the float64
        initial draw and recall matrix (16 N^2); the padded (N, P) patterns, fields, field
        gradients and bins (up to 1.25 x (4 itemsize + 3) P N); the per-neuron histograms (soft
        bins: joints); autograd keeps its graph (about 16 (N, P) tensors; soft binning about 6 (N, P, bins, bins)
        joint memberships, measured). The small-GEMM kernel's two packed copies of the patterns
        (float32, P and N each rounded up to 32: up to 1.25 x 8 (N + 31) (P + 31)).
        Plus the trial's own P x N arrays.
        """
        item = 8 if params.get("dtype") == "float64" else 4
        binning = params.get("binning", "fixed")
        n_bins = params.get("n_bins") or DEFAULT_BINS.get(binning, 60)
        n, p = n_units, n_patterns
        total = (4 * item + 16) * n * n + (5 * (4 * item + 3) * n * p) // 4 + 48 * n * n_bins
        total += 10 * (n + 31) * (p + 31)  # packed panels (counted whether or not they are used)
        if binning == "soft":  # the per-neuron (bins, bins, 2) joint
            total += 16 * n * n_bins**2
        autograd = (params.get("backend") == "autograd" or params.get("device", "cpu") != "cpu"
                    or (binning == "soft" and params.get("train_external", False)))
        if autograd:
            total += 16 * item * n * p + (6 * item * n * p * n_bins**2 if binning == "soft" else 0)
        return total + TRIAL_BYTES_PER_ENTRY * n * p + async_order_bytes(n, params)

    # ------------------------------------------------------------------ training
    def _train_config(self):
        from amem.models.infomorphic_train import TrainConfig

        backend = self.backend
        if backend == "auto":
            backend = "numba" if self._numba_applies() else "autograd"
        return TrainConfig(gamma=self.gamma, binning=self.binning,
                           n_bins=self.n_bins or DEFAULT_BINS[self.binning], epochs=self.epochs,
                           early_stopping=self.early_stopping, stop_overlap=self.stop_overlap,
                           lr=self.lr, external_weight=self.external_weight,
                           init_scale=self.init_scale, device=self.device, dtype=self.dtype,
                           backend=backend, optimizer=self.optimizer,
                           train_external=self.train_external, testing=self.testing)

    def _fit(self, patterns: np.ndarray) -> None:
        self._train_many([self], [patterns])

    @classmethod
    def store_many(cls, models, pattern_sets):
        """Train every model on its patterns in one batched computation (same N; parameters
        equal except ``seed`` and ``goal``: each network trains under its own goal, so many
        goals train in one computation).

        Models with identical goal, seed and patterns (e.g. the same trial at several cue noise
        levels) are trained once and share the result.
        """
        from amem.validation import as_bipolar

        models = list(models)
        if not models:
            return []
        if not all(type(m) is cls for m in models) or \
                len({_params_key(m) for m in models}) != 1:
            return super().store_many(models, pattern_sets)
        sets = []
        for m, p in zip(models, pattern_sets):
            new = as_bipolar(p, "patterns", getattr(m, "n_units_", None))
            stored = getattr(m, "patterns_", None)
            sets.append(new if stored is None else np.concatenate([stored, new]))
        if len({s.shape[1] for s in sets}) != 1:
            return super().store_many(models, pattern_sets)
        cls._train_many(models, sets)
        for m, s in zip(models, sets):
            m.n_units_ = s.shape[1]
            m.patterns_ = s
        return models

    @staticmethod
    def _train_many(models, sets):
        from amem.models.infomorphic_train import train_ensemble

        unique: dict[tuple, int] = {}
        which = []
        for m, s in zip(models, sets):
            key = (m.seed, m.gamma, s.shape, s.tobytes())
            which.append(unique.setdefault(key, len(unique)))
        first = {}
        for k, u in enumerate(which):
            first.setdefault(u, k)
        order = [first[u] for u in range(len(unique))]
        if models[0].device == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise AmemError("device='cuda' but torch sees no CUDA GPU; use device='cpu'")
        results = train_ensemble([sets[k] for k in order], [models[k].seed for k in order],
                                 models[0]._train_config(),
                                 gammas=[models[k].gamma for k in order])
        for m, u in zip(models, which):
            m._set_result(results[u])

    def _set_result(self, result) -> None:
        self.weights_ = result.weights
        self.history_ = result.history
        self.atoms_ = result.atoms
        self.epochs_trained_ = result.epochs_trained
        self.met_criterion_ = result.met_criterion
        self.external_weights_ = result.external_weights
        self._couplings_changed()

    # ------------------------------------------------------------------ accounting
    def diagnostics(self) -> dict[str, Any]:
        """What the last training cost and how it ended (JSON values; recorded with each trial).

        * ``epochs_trained``: full-batch Adam steps taken (early stopping may end before
          ``epochs``);
        * ``met_criterion``: whether a recall check reached ``stop_overlap`` (with early
          stopping on, training stopped there);
        * ``checkpoints``: recall checks made (each also recomputes the PID atoms);
        * ``network_epochs``: network-epochs trained for this model (= ``epochs_trained``; trials
          that share a trained network, e.g. one trial at several cue-noise levels, each report
          the shared network's count);
        * ``matmul_flops``: floating-point operations of the training's matrix products, counted
          as 2 m n k per (m x k) @ (k x n) product over the model's own P (the padding of a
          batched bucket is not counted): per epoch the fields W X^T and the weight gradient
          dL/dC X, each 2 N^2 P, and the same two again at every checkpoint (the joint
          distribution and atoms). Recall (incremental field updates) is not counted.

        Empty before :meth:`store`.
        """
        if getattr(self, "weights_", None) is None:
            return {}
        n, p = self.n_units_, self.n_patterns_
        checks = len(self.history_.get("epoch", ()))
        return {"epochs_trained": int(self.epochs_trained_),
                "met_criterion": bool(self.met_criterion_),
                "checkpoints": int(checks),
                "network_epochs": int(self.epochs_trained_),
                "matmul_flops": int(4 * n * n * p * (self.epochs_trained_ + checks))}

    # ------------------------------------------------------------------ recall
    @property
    def bias_(self) -> np.ndarray:
        self._check_stored()
        return np.zeros(self.n_units_)

    def _recall(self, cues, max_steps):
        if self.testing == "stochastic":  # ablation row 1: recall sampled from theta
            from amem.base import MAX_STEPS
            from amem.models.infomorphic_train import STOCHASTIC_STEPS, stochastic_states

            rng = np.random.default_rng([self.seed, 11])
            _, rest = stochastic_states(self.weights_, cues, STOCHASTIC_STEPS, rng)
            m = len(cues)
            return (rest[-1].astype(np.int8), np.full(m, STOCHASTIC_STEPS + 1),
                    np.full(m, MAX_STEPS, np.int8))
        return super()._recall(cues, max_steps)


def _params_key(model) -> str:
    import json

    # seed and goal are per network in a batched training; the rest must be shared
    params = {k: v for k, v in model.get_params().items() if k not in ("seed", "goal")}
    return json.dumps(params, sort_keys=True, default=str)


__all__ = ["ABLATION_LADDER", "GOALS", "InfomorphicHopfield", "parse_goal"]

"""Closed-form reference values, each with the criterion it assumes.

* :mod:`amem.theory.hebbian` -- AGS limit, McEliece et al. scaling, exact one-step bit errors.
* :mod:`amem.theory.dense` -- dense associative memories (polynomial and exponential).
* :mod:`amem.theory.pid_hebbian` -- the SX PID atoms of a Hebbian neuron in closed form.
* :mod:`amem.theory.perceptron` -- Gardner's optimal stability kappa_opt(alpha) (Krauth-Mezard).
"""

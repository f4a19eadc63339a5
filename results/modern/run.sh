#!/usr/bin/env bash
# Every sweep behind results/modern/ (run from the repository root: bash results/modern/run.sh).
# Paper criterion: bisection on P per seed (mean overlap >= 0.95, sync, at most N steps), clean
# and 10%-noise cues; `exact` criterion (every stored pattern a fixed point) for the no-error
# theory; one-step all-patterns retrieval (--max-steps 1, criterion all_exact) for Demircigil.
set -euo pipefail
B0="python -m amem.bench capacity --search bisect --seeds 5 --no-progress --no-plot"
B="$B0 --bisect-rtol 0.01"  # dense memories: stop bisecting at 1% of P
R=results/modern

$B0 --model hebbian --n 50,100,200,400 --alphas 0.05:0.1 --noise 0,0.1 --out $R/hebbian
$B0 --model hebbian --n 50,100,200,400 --alphas 0.02:0.05 --criterion exact --out $R/hebbian

$B0 --model modern --param degree=2 --n 50,100,200,400 --alphas 0.05:0.1 --noise 0,0.1 --out $R/poly2
$B0 --model modern --param degree=2 --n 50,100,200,400 --alphas 0.02:0.05 --criterion exact --out $R/poly2

$B --model modern --param degree=3 --n 25,35,50,71,100,141 --alphas 1:2 --noise 0,0.1 --out $R/poly3
$B --model modern --param degree=3 --n 25,35,50,71,100,141 --alphas 0.5:1 --criterion exact --out $R/poly3

$B --model modern --param degree=4 --n 16,23,32,45,64 --alphas 2:4 --noise 0,0.1 --out $R/poly4
$B --model modern --param degree=4 --n 16,23,32,45,64 --alphas 1:2 --criterion exact --out $R/poly4

$B --model modern --param energy=exp --n 8,10,12,14,16 --alphas 4:8 --noise 0,0.1 --out $R/exp
$B --model modern --param energy=exp --n 8,10,12,14,16 --alphas 1:4 --noise 0,0.1 \
   --max-steps 1 --criterion all_exact --out $R/exp-onestep
# 10% noise needs N with round(0.1 N) = 0.1 N: below N = 20 the flipped fraction jumps
# (1/8, 1/10, 1/12, 1/14, 2/16), so the noisy exponential runs use N = 10, 20 (30, 40 for the
# one-step criterion). Under the paper criterion N = 30 already stores > 1,920 patterns from noisy
# cues (mean overlap 0.994 there); evaluating every stored pattern costs O(P^2 N), so it stops at 20.
$B --model modern --param energy=exp --n 10,20 --alphas 0.5:1 --noise 0.1 --out $R/exp-noise10
$B --model modern --param energy=exp --n 10,20,30,40 --alphas 0.5:1 --noise 0.1 \
   --max-steps 1 --criterion all_exact --out $R/exp-onestep-noise10

for d in hebbian poly2 poly3 poly4 exp exp-onestep exp-noise10 exp-onestep-noise10; do python -m amem.bench plot $R/$d; done
python results/modern/analyze.py

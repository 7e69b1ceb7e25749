//! Fitting a calibrated forecast model: L2-regularised logistic regression, plus the two
//! measures that judge it, ROC AUC and the Brier score.
//!
//! Why a small solver rather than a crate: the model has about ten features, so a
//! Newton–Raphson (IRLS) solve with a dense Cholesky factorisation is about a hundred lines,
//! exact and deterministic (every sum runs in index order, so the same input gives
//! bit-identical weights on every machine and thread count), while linfa or smartcore
//! would pull ndarray and BLAS stacks into a command-line tool's build.

/// Newton iterations allowed before giving up on convergence.
const MAX_ITERATIONS: u32 = 100;
/// Convergence: stop once no coefficient moves by this much in one step.
const STEP_TOLERANCE: f64 = 1e-10;

/// A fitted logistic model: `P(positive | x) = sigmoid(intercept + weights · x)`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Logistic {
    /// The unpenalised constant term, on the log-odds scale.
    pub(crate) intercept: f64,
    /// One weight per feature, on the log-odds scale.
    pub(crate) weights: Vec<f64>,
    /// Newton iterations taken; `100` means the iteration cap was reached.
    pub(crate) iterations: u32,
}

impl Logistic {
    /// The log-odds of the positive class for features `x` (one value per weight).
    pub(crate) fn logit(&self, x: &[f64]) -> f64 {
        debug_assert_eq!(x.len(), self.weights.len());
        self.intercept + dot(&self.weights, x)
    }

    /// The probability of the positive class for features `x` (one value per weight).
    pub(crate) fn predict(&self, x: &[f64]) -> f64 {
        sigmoid(self.logit(x))
    }
}

/// Fits `P(y | x)` by maximising the log-likelihood minus `l2 / 2 · Σ w_j²` (the intercept
/// is not penalised) with Newton–Raphson: closed-form gradient and Hessian, a Cholesky
/// solve, step halving whenever a full step does not improve the objective, and a stop once
/// the largest step is below 1e-10 or after 100 iterations.
///
/// With `l2 > 0` the objective is strictly concave, so the fit converges even on perfectly
/// separable data. With `l2 == 0` on (quasi-)separable data no maximum exists: the weights
/// grow until the iteration cap or until the fitted probabilities round to 0 and 1.
/// Errors, in words, on empty input, mismatched lengths, ragged rows, non-finite values, a
/// negative penalty, or outcomes that are all one class.
pub(crate) fn fit(x: &[Vec<f64>], y: &[bool], l2: f64) -> Result<Logistic, String> {
    validate(x, y, l2)?;
    // The design matrix with a leading column of ones for the intercept.
    let z: Vec<Vec<f64>> = x
        .iter()
        .map(|row| std::iter::once(1.0).chain(row.iter().copied()).collect())
        .collect();
    let rate = y.iter().filter(|&&v| v).count() as f64 / y.len() as f64;
    let mut beta = vec![0.0; x[0].len() + 1];
    beta[0] = (rate / (1.0 - rate)).ln();
    let mut value = objective(&z, y, l2, &beta);
    let mut iterations = 0;
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let (gradient, hessian) = derivatives(&z, y, l2, &beta);
        let mut step = solve(&hessian, &gradient)?;
        // Halve the step until the objective does not get worse (`>=` is false for NaN, so
        // a step into overflow is halved too); a finite step reaches the tolerance in time.
        let converged = loop {
            let candidate: Vec<f64> = beta.iter().zip(&step).map(|(b, d)| b + d).collect();
            let candidate_value = objective(&z, y, l2, &candidate);
            let converged = step.iter().all(|d| d.abs() < STEP_TOLERANCE);
            if converged || candidate_value >= value {
                (beta, value) = (candidate, candidate_value);
                break converged;
            }
            step.iter_mut().for_each(|d| *d *= 0.5);
        };
        if converged {
            break;
        }
    }
    if beta.iter().any(|b| !b.is_finite()) {
        return Err("the fit diverged to non-finite weights; use a positive l2 penalty".into());
    }
    let weights = beta.split_off(1);
    let intercept = beta[0];
    Ok(Logistic {
        intercept,
        weights,
        iterations,
    })
}

/// Area under the ROC curve: the probability that a random positive scores above a random
/// negative, ties counting one half. Sorts once, so O(n log n). `None` when the lengths
/// differ, a score is NaN, or there are no positives or no negatives.
pub(crate) fn auc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    if scores.len() != positive.len() || scores.iter().any(|s| s.is_nan()) {
        return None;
    }
    let mut order: Vec<_> = scores.iter().zip(positive).collect();
    order.sort_by(|a, b| a.0.total_cmp(b.0));
    // Twice the number of wins, so that half-wins for ties stay integers.
    let (mut twice_wins, mut negatives_below) = (0_u128, 0_u128);
    for group in order.chunk_by(|a, b| a.0 == b.0) {
        let pos = group.iter().filter(|(_, p)| **p).count() as u128;
        let neg = group.len() as u128 - pos;
        twice_wins += 2 * pos * negatives_below + pos * neg;
        negatives_below += neg;
    }
    let total_positive = positive.iter().filter(|&&p| p).count() as u128;
    let pairs = total_positive * negatives_below;
    (pairs > 0).then(|| twice_wins as f64 / (2 * pairs) as f64)
}

/// The Brier score: the mean of `(p − y)²` over predictions `probs` and outcomes
/// `positive` (1 for positive, 0 for negative). `None` on empty input or length mismatch.
pub(crate) fn brier(probs: &[f64], positive: &[bool]) -> Option<f64> {
    if probs.is_empty() || probs.len() != positive.len() {
        return None;
    }
    let sum: f64 = probs
        .iter()
        .zip(positive)
        .map(|(p, &y)| (p - if y { 1.0 } else { 0.0 }).powi(2))
        .sum();
    Some(sum / probs.len() as f64)
}

/// Checks the inputs of [`fit`], describing the first problem found.
fn validate(x: &[Vec<f64>], y: &[bool], l2: f64) -> Result<(), String> {
    if x.is_empty() || y.is_empty() {
        return Err("there are no observations to fit".into());
    }
    if x.len() != y.len() {
        return Err(format!("{} feature rows but {} outcomes", x.len(), y.len()));
    }
    let width = x[0].len();
    for (n, row) in (1..).zip(x) {
        if row.len() != width {
            return Err(format!("row {n} has {} features, not {width}", row.len()));
        }
        if let Some(j) = row.iter().position(|v| !v.is_finite()) {
            return Err(format!("row {n}, feature {} is not finite", j + 1));
        }
    }
    if !l2.is_finite() || l2 < 0.0 {
        return Err(format!("the l2 penalty must be finite and >= 0, not {l2}"));
    }
    match y.iter().filter(|&&v| v).count() {
        0 => Err("every outcome is negative; a fit needs both classes".into()),
        k if k == y.len() => Err("every outcome is positive; a fit needs both classes".into()),
        _ => Ok(()),
    }
}

/// The penalised log-likelihood at coefficients `beta` (intercept first).
fn objective(z: &[Vec<f64>], y: &[bool], l2: f64, beta: &[f64]) -> f64 {
    let likelihood: f64 = z
        .iter()
        .zip(y)
        .map(|(row, &yi)| {
            let eta = dot(beta, row);
            // log P(y): -log(1 + e^-eta) when positive, -log(1 + e^eta) when negative.
            -softplus(if yi { -eta } else { eta })
        })
        .sum();
    likelihood - 0.5 * l2 * beta[1..].iter().map(|b| b * b).sum::<f64>()
}

/// The gradient of the penalised log-likelihood and the negated Hessian (positive
/// definite, row-major `m × m`) at `beta`.
fn derivatives(z: &[Vec<f64>], y: &[bool], l2: f64, beta: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let m = beta.len();
    let mut gradient = vec![0.0; m];
    let mut hessian = vec![0.0; m * m];
    for (row, &yi) in z.iter().zip(y) {
        let prob = sigmoid(dot(beta, row));
        let residual = if yi { 1.0 } else { 0.0 } - prob;
        let weight = prob * (1.0 - prob);
        for ((g, &zj), h_row) in gradient.iter_mut().zip(row).zip(hessian.chunks_mut(m)) {
            *g += residual * zj;
            for (h, &zk) in h_row.iter_mut().zip(row) {
                *h += weight * zj * zk;
            }
        }
    }
    for (j, (g, b)) in gradient.iter_mut().zip(beta).enumerate().skip(1) {
        *g -= l2 * b;
        hessian[j * m + j] += l2;
    }
    (gradient, hessian)
}

/// Solves `a · d = g` for symmetric positive definite `a` (row-major) by Cholesky, adding a
/// tiny, growing jitter to the diagonal if `a` is not numerically positive definite.
fn solve(a: &[f64], g: &[f64]) -> Result<Vec<f64>, String> {
    let m = g.len();
    let scale = (0..m).fold(1.0_f64, |s, i| s.max(a[i * m + i].abs()));
    let mut jittered = a.to_vec();
    for jitter in [0.0, 1e-12, 1e-10, 1e-8, 1e-6] {
        for i in 0..m {
            jittered[i * m + i] = a[i * m + i] + jitter * scale;
        }
        let Some(l) = cholesky(&jittered, m) else {
            continue;
        };
        // Forward substitution for l · u = g, then back substitution for lᵀ · d = u.
        let mut d = vec![0.0; m];
        for i in 0..m {
            let partial: f64 = (0..i).map(|k| l[i * m + k] * d[k]).sum();
            d[i] = (g[i] - partial) / l[i * m + i];
        }
        for i in (0..m).rev() {
            let partial: f64 = (i + 1..m).map(|k| l[k * m + i] * d[k]).sum();
            d[i] = (d[i] - partial) / l[i * m + i];
        }
        if d.iter().all(|v| v.is_finite()) {
            return Ok(d);
        }
    }
    Err("the fit's Hessian is singular; use a positive l2 penalty".into())
}

/// The lower-triangular `l` (row-major `m × m`) with `l · lᵀ = a`, or `None` if `a` is not
/// positive definite.
fn cholesky(a: &[f64], m: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..=i {
            let v = a[i * m + j] - (0..j).map(|k| l[i * m + k] * l[j * m + k]).sum::<f64>();
            if i != j {
                l[i * m + j] = v / l[j * m + j];
            } else if v > 0.0 && v.is_finite() {
                l[i * m + i] = v.sqrt();
            } else {
                return None;
            }
        }
    }
    Some(l)
}

/// `Σ a_i · b_i`, summed in index order.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `1 / (1 + e^-t)`, without overflow for large `|t|`.
fn sigmoid(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + (-t).exp())
    } else {
        let e = t.exp();
        e / (1.0 + e)
    }
}

/// `log(1 + e^t)`, without overflow for large `t`.
fn softplus(t: f64) -> f64 {
    t.max(0.0) + (-t.abs()).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The penalised gradient, computed column by column from its definition.
    fn gradient(x: &[Vec<f64>], y: &[bool], l2: f64, model: &Logistic) -> Vec<f64> {
        let residual = |i: usize| f64::from(u8::from(y[i])) - model.predict(&x[i]);
        let mut g = vec![(0..x.len()).map(residual).sum::<f64>()];
        for (j, w) in model.weights.iter().enumerate() {
            g.push((0..x.len()).map(|i| residual(i) * x[i][j]).sum::<f64>() - l2 * w);
        }
        g
    }

    /// Ten rows of three irregular features, neither separable nor balanced.
    fn irregular() -> (Vec<Vec<f64>>, Vec<bool>) {
        let flat = [
            0.5, 1.2, -0.3, 1.5, -0.7, 2.0, -1.1, 0.4, 0.9, 2.3, 1.9, -1.4, 0.0, -2.2, 0.6, -0.8,
            0.3, -2.5, 1.7, 0.8, 1.1, -2.0, -1.3, 0.2, 0.9, 2.6, -0.9, -0.4, -0.5, 1.8,
        ];
        let y = (0..10).map(|i| [0, 3, 6, 8, 9].contains(&i)).collect();
        (flat.chunks(3).map(<[f64]>::to_vec).collect(), y)
    }

    #[test]
    fn binary_feature_matches_closed_form_mle() {
        // x = 0: 3 of 10 positive, so intercept = logit(0.3) = ln(3/7);
        // x = 1: 7 of 10 positive, so weight = logit(0.7) - logit(0.3) = 2 ln(7/3).
        let x: Vec<Vec<f64>> = (0..20).map(|i| vec![f64::from(i / 10)]).collect();
        let y: Vec<bool> = (0..20).map(|i| i % 10 < 3 + 4 * (i / 10)).collect();
        let model = fit(&x, &y, 0.0).unwrap();
        assert!((model.intercept - (3.0_f64 / 7.0).ln()).abs() < 1e-9);
        assert!((model.weights[0] - 2.0 * (7.0_f64 / 3.0).ln()).abs() < 1e-9);
        assert!((model.predict(&[1.0]) - 0.7).abs() < 1e-9);
        assert!(model.iterations < MAX_ITERATIONS);
    }

    #[test]
    fn intercept_only_is_logit_of_the_mean() {
        // 2 of 5 positive: intercept = logit(0.4) = ln(0.4 / 0.6) = ln(2/3), whether there are
        // no features or one that is always zero (its weight then stays exactly 0).
        let y = [true, false, false, true, false];
        for (width, l2) in [(0, 0.0), (1, 1.0)] {
            let model = fit(&vec![vec![0.0; width]; 5], &y, l2).unwrap();
            assert!((model.intercept - (2.0_f64 / 3.0).ln()).abs() < 1e-12);
            assert_eq!(model.weights, vec![0.0; width]);
        }
    }

    #[test]
    fn penalised_gradient_vanishes_at_the_fit() {
        // At the maximum, Σ (y - p) = 0 and Σ (y - p) x_j - l2 w_j = 0 for every feature.
        let (x, y) = irregular();
        let model = fit(&x, &y, 0.5).unwrap();
        for g in gradient(&x, &y, 0.5, &model) {
            assert!(g.abs() < 1e-8, "gradient component {g}");
        }
        assert_eq!(model, fit(&x, &y, 0.5).unwrap(), "deterministic");
    }

    #[test]
    fn separable_data_converges_with_a_penalty() {
        // y = (x > 0): the unpenalised MLE is infinite; l2 = 1 keeps w finite and positive,
        // and by symmetry the intercept is 0.
        let x = [-2.0, -1.0, -0.5, 0.5, 1.0, 2.0].map(|v| vec![v]);
        let y = [false, false, false, true, true, true];
        let model = fit(&x, &y, 1.0).unwrap();
        assert!(model.weights[0].is_finite() && model.weights[0] > 0.0);
        assert!(model.iterations < MAX_ITERATIONS && model.intercept.abs() < 1e-12);
        assert!(gradient(&x, &y, 1.0, &model).iter().all(|g| g.abs() < 1e-8));
    }

    #[test]
    fn weights_shrink_as_the_penalty_grows() {
        // One feature: |w| falls strictly as l2 grows.
        let x = [0.0, 1.0, 2.0, 3.0, 1.5, 0.5].map(|v| vec![v]);
        let y = [false, false, true, true, false, true];
        let w = [0.1, 1.0, 10.0].map(|l2| fit(&x, &y, l2).unwrap().weights[0]);
        assert!(w[0] > w[1] && w[1] > w[2] && w[2] > 0.0, "{w:?}");
        // Three features: the norm ‖w‖ falls, but one weight need not. Here w₁ grows from
        // l2 = 0.1 to l2 = 1 (0.482 to 0.494) as the larger w₂ gives up its share.
        let (x, y) = irregular();
        let w = [0.1, 1.0, 10.0].map(|l2| fit(&x, &y, l2).unwrap().weights);
        assert!(w[1][0] > w[0][0] && w[1][1] < w[0][1], "{w:?}");
        let norm = w.map(|w| w.iter().map(|v| v * v).sum::<f64>());
        assert!(norm[0] > norm[1] && norm[1] > norm[2], "{norm:?}");
    }

    #[test]
    fn auc_hand_examples() {
        let (f, t) = (false, true);
        let cases: [(&[f64], &[bool], Option<f64>); 10] = [
            // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 0.35 beats 0.1 only and
            // 0.8 beats both, so 3 of 4 pairs.
            (&[0.1, 0.4, 0.35, 0.8], &[f, f, t, t], Some(0.75)),
            // Positives 0.5 and 0.9 against 0.2 and 0.5: 1 + 0.5 (tie) + 2 = 3.5 of 4 pairs.
            (&[0.2, 0.5, 0.5, 0.9], &[f, t, f, t], Some(0.875)),
            (&[0.1, 0.2, 0.8, 0.9], &[f, f, t, t], Some(1.0)),
            (&[0.9, 0.8, 0.2, 0.1], &[f, f, t, t], Some(0.0)),
            (&[0.3; 5], &[t, f, t, f, f], Some(0.5)),
            (&[0.1, 0.2], &[t, t], None),
            (&[0.1, 0.2], &[f, f], None),
            (&[], &[], None),
            (&[0.1, 0.2], &[t], None),
            (&[0.1, f64::NAN], &[t, f], None),
        ];
        for (scores, positive, want) in cases {
            assert_eq!(auc(scores, positive), want, "{scores:?} {positive:?}");
        }
    }

    #[test]
    fn brier_hand_example() {
        // (0.9 - 1)² + (0.2 - 0)² + (0.6 - 0)² = 0.01 + 0.04 + 0.36 = 0.41, over 3.
        let score = brier(&[0.9, 0.2, 0.6], &[true, false, false]).unwrap();
        assert!((score - 0.41 / 3.0).abs() < 1e-15);
        assert_eq!(brier(&[1.0, 0.0], &[true, false]), Some(0.0));
        assert_eq!(brier(&[], &[]), None);
        assert_eq!(brier(&[0.5], &[true, false]), None);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let (x, y) = irregular();
        let with = |i: usize, row: &[f64]| {
            let mut x = x.clone();
            x[i] = row.to_vec();
            x
        };
        let err = |x: &[Vec<f64>], y: &[bool], l2: f64| fit(x, y, l2).unwrap_err();
        let (inf, nan) = (f64::INFINITY, f64::NAN);
        let errors = [
            (err(&[], &[], 1.0), "no observations"),
            (err(&x, &y[1..], 1.0), "10 feature rows but 9 outcomes"),
            (err(&with(3, &[1.0, 2.0]), &y, 1.0), "row 4 has 2 features"),
            (err(&with(2, &[0.0, inf, 0.0]), &y, 1.0), "row 3, feature 2"),
            (err(&with(0, &[nan, 0.0, 0.0]), &y, 1.0), "row 1, feature 1"),
            (err(&x, &y, -0.1), "l2 penalty"),
            (err(&x, &y, nan), "l2 penalty"),
            (err(&x, &[true; 10], 1.0), "every outcome is positive"),
            (err(&x, &[false; 10], 1.0), "every outcome is negative"),
        ];
        for (error, want) in errors {
            assert!(error.contains(want), "{error}");
        }
    }
}

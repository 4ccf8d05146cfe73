# The expected values of evidencedb's meta-analysis, computed by R's metafor.
#
# Run from the repository: Rscript tests/analysis/meta/metafor_expected.R > tests/analysis/meta/metafor_expected.json
# (tests/analysis/meta/test_metafor_script.py re-runs it when Rscript with metafor is present
# and compares its output with the committed file). R and metafor come from Debian's
# packages (r-cran-metafor); they are never a run-time dependency of evidencedb.
#
# The data rows of every dataset are written into the JSON too, so that the Python tests read
# the same numbers without R. Iterative estimators run with metafor's convergence threshold
# and root-finding tolerance tightened, so that the comparison can be to 1e-6.

suppressPackageStartupMessages(library(metafor))

# Fisher scoring stops when tau^2 changes by less than the threshold: scaled to the data's
# variance, so that it is tight for risk differences and still reachable for mean differences.
tight <- function(yi) list(threshold = 1e-15 * max(1, var(yi)), tol = 1e-13, maxiter = 10000)
methods <- c("FE", "DL", "REML", "ML", "PM", "HE", "SJ", "EB")

bcg <- dat.bcg[, c("trial", "author", "year", "tpos", "tneg", "cpos", "cneg", "alloc")]
# How evidencedb's trials table would record the allocation: a subgroup field of `meta`.
bcg$design <- ifelse(bcg$alloc == "random", "randomized", "non_randomized")
normand <- dat.normand1999[, c("study", "source", "n1i", "m1i", "sd1i", "n2i", "m2i", "sd2i")]
nielweise <- dat.nielweise2007[, c("study", "author", "year", "ai", "n1i", "ci", "n2i")]

# Ratios as a publication reports them: rounded to two decimals, with a CI at a stated level.
bcg_rr <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
levels <- rep(c(0.95, 0.90), length.out = nrow(bcg))
z <- qnorm(1 - (1 - levels) / 2)
reported <- data.frame(
  trial = bcg$trial,
  ratio = round(exp(bcg_rr$yi), 2),
  ci_lower = round(exp(bcg_rr$yi - z * sqrt(bcg_rr$vi)), 2),
  ci_upper = round(exp(bcg_rr$yi + z * sqrt(bcg_rr$vi)), 2),
  ci_level = levels
)
reported$yi <- log(reported$ratio)
reported$vi <- ((log(reported$ci_upper) - log(reported$ci_lower)) /
  (2 * qnorm(1 - (1 - reported$ci_level) / 2)))^2
# A difference reported with its CI: the mean differences of normand, rounded, at 95%.
normand_md <- escalc("MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i,
                     n2i = n2i, data = normand)
differences <- data.frame(
  study = normand$study,
  difference = normand_md$yi,
  ci_lower = round(normand_md$yi - qnorm(0.975) * sqrt(normand_md$vi), 1),
  ci_upper = round(normand_md$yi + qnorm(0.975) * sqrt(normand_md$vi), 1),
  ci_level = 0.95
)
differences$yi <- differences$difference
differences$vi <- ((differences$ci_upper - differences$ci_lower) / (2 * qnorm(0.975)))^2

effect_sizes <- function(dataset, measure, add = 0.5, drop00 = FALSE) {
  if (dataset == "bcg") {
    es <- escalc(measure, ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg,
                 add = add, drop00 = drop00)
  } else if (dataset == "nielweise") {
    es <- escalc(measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = nielweise,
                 add = add, drop00 = drop00)
  } else if (dataset == "normand") {
    es <- escalc(measure, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i,
                 n2i = n2i, data = normand)
  } else if (dataset == "reported") {
    es <- reported
  } else {
    es <- differences
  }
  list(yi = as.numeric(es$yi), vi = as.numeric(es$vi))
}

summary_of <- function(res) {
  out <- list(
    estimate = as.numeric(res$beta), se = res$se, ci_lower = res$ci.lb, ci_upper = res$ci.ub,
    p_value = res$pval, q = res$QE, q_p_value = res$QEp, i2 = res$I2, h2 = res$H2,
    tau2 = res$tau2, k = res$k, weights = as.numeric(weights(res))
  )
  if (inherits(res, "rma.uni")) {
    pred <- predict(res)
    # A common-effect model has no prediction interval of its own: with tau^2 = 0 it is the CI.
    out$pi_lower <- as.numeric(if (is.null(pred$pi.lb)) pred$ci.lb else pred$pi.lb)
    out$pi_upper <- as.numeric(if (is.null(pred$pi.ub)) pred$ci.ub else pred$pi.ub)
    if (!res$method %in% c("FE", "EE", "CE")) {
      # metafor caps the upper bound at max(100, 10 tau^2) by default; the cap is lifted so
      # that both sides give the Q-profile bound itself.
      ci <- confint(res, control = list(tol = 1e-13, tau2.max = 1e7))$random
      out$tau2_ci_lower <- ci["tau^2", "ci.lb"]
      out$tau2_ci_upper <- ci["tau^2", "ci.ub"]
    }
  }
  out
}

fit <- function(es, method, knha) {
  rma(yi = es$yi, vi = es$vi, method = method, test = if (knha) "knha" else "z",
      control = tight(es$yi))
}

cases <- list(
  list(dataset = "bcg", measure = "RR"), list(dataset = "bcg", measure = "OR"),
  list(dataset = "bcg", measure = "RD"), list(dataset = "normand", measure = "MD"),
  list(dataset = "normand", measure = "SMD"),
  list(dataset = "nielweise", measure = "RR", drop00 = TRUE),
  list(dataset = "nielweise", measure = "OR", drop00 = TRUE),
  list(dataset = "nielweise", measure = "RD"),
  list(dataset = "nielweise", measure = "RR", add = 0.25, drop00 = TRUE),
  list(dataset = "nielweise", measure = "OR", drop00 = FALSE),
  list(dataset = "reported", measure = "RR"), list(dataset = "differences", measure = "MD")
)

escalc_out <- list()
models <- list()
for (case in cases) {
  add <- if (is.null(case$add)) 0.5 else case$add
  drop00 <- if (is.null(case$drop00)) FALSE else case$drop00
  es <- effect_sizes(case$dataset, case$measure, add, drop00)
  escalc_out[[length(escalc_out) + 1]] <- list(
    dataset = case$dataset, measure = case$measure, add = add, drop00 = drop00,
    yi = es$yi, vi = es$vi
  )
  kept <- list(yi = es$yi[!is.na(es$yi)], vi = es$vi[!is.na(es$vi)])
  for (method in methods) {
    for (knha in c(FALSE, TRUE)) {
      if (method == "FE" && knha) next
      models[[length(models) + 1]] <- list(
        dataset = case$dataset, measure = case$measure, add = add, drop00 = drop00,
        method = method, knha = knha, result = summary_of(fit(kept, method, knha))
      )
    }
  }
}

pooled_by_counts <- list()
for (dataset in c("bcg", "nielweise")) {
  if (dataset == "bcg") {
    ai <- bcg$tpos; bi <- bcg$tneg; ci <- bcg$cpos; di <- bcg$cneg
  } else {
    ai <- nielweise$ai; bi <- nielweise$n1i - nielweise$ai
    ci <- nielweise$ci; di <- nielweise$n2i - nielweise$ci
  }
  for (measure in c("RR", "OR", "RD")) {
    res <- rma.mh(ai = ai, bi = bi, ci = ci, di = di, measure = measure)
    pooled_by_counts[[length(pooled_by_counts) + 1]] <- list(
      dataset = dataset, measure = measure, method = "MH", result = summary_of(res)
    )
  }
  res <- rma.peto(ai = ai, bi = bi, ci = ci, di = di)
  pooled_by_counts[[length(pooled_by_counts) + 1]] <- list(
    dataset = dataset, measure = "OR", method = "PETO", result = summary_of(res)
  )
}

# Subgroups the way reviewers test them: a model per subgroup, then the test for subgroup
# differences as the heterogeneity of the subgroup estimates (a fixed-effect Q between them).
subgroups <- list()
es <- effect_sizes("bcg", "RR")
for (field in c("alloc", "design")) for (method in c("FE", "DL", "REML")) {
  for (knha in c(FALSE, TRUE)) {
    if (method == "FE" && knha) next
    groups <- list()
    estimates <- c(); variances <- c()
    for (group in sort(unique(bcg[[field]]))) {
      inside <- bcg[[field]] == group
      res <- fit(list(yi = es$yi[inside], vi = es$vi[inside]), method, knha)
      groups[[group]] <- summary_of(res)
      estimates <- c(estimates, as.numeric(res$beta)); variances <- c(variances, res$se^2)
    }
    between <- rma(yi = estimates, vi = variances, method = "FE")
    subgroups[[length(subgroups) + 1]] <- list(
      dataset = "bcg", measure = "RR", field = field, method = method, knha = knha,
      groups = groups, q_between = between$QE, q_between_df = length(estimates) - 1,
      q_between_p_value = between$QEp
    )
  }
}

leave_one_out <- list()
for (method in c("FE", "DL", "REML", "PM")) {
  for (knha in c(FALSE, TRUE)) {
    if (method == "FE" && knha) next
    l1o <- leave1out(fit(es, method, knha))
    leave_one_out[[length(leave_one_out) + 1]] <- list(
      dataset = "bcg", measure = "RR", method = method, knha = knha,
      estimate = l1o$estimate, se = l1o$se, ci_lower = l1o$ci.lb, ci_upper = l1o$ci.ub,
      p_value = l1o$pval, q = l1o$Q, q_p_value = l1o$Qp,
      tau2 = if (is.null(l1o$tau2)) rep(0, length(l1o$estimate)) else l1o$tau2, i2 = l1o$I2,
      h2 = l1o$H2
    )
  }
}

# Egger's regression test for funnel-plot asymmetry, the classical one (model "lm").
egger <- list()
for (case in list(list(dataset = "bcg", measure = "RR"), list(dataset = "nielweise", measure = "OR", drop00 = TRUE))) {
  es <- effect_sizes(case$dataset, case$measure, 0.5, isTRUE(case$drop00))
  kept <- !is.na(es$yi)
  test <- regtest(es$yi[kept], es$vi[kept], model = "lm")
  egger[[length(egger) + 1]] <- list(
    dataset = case$dataset, measure = case$measure, add = 0.5, drop00 = isTRUE(case$drop00),
    t = test$zval, df = test$dfs, p_value = test$pval, limit_estimate = as.numeric(test$est)
  )
}

output <- list(
  metafor_version = as.character(packageVersion("metafor")),
  datasets = list(bcg = bcg, normand = normand, nielweise = nielweise,
                  reported = reported[, c("trial", "ratio", "ci_lower", "ci_upper", "ci_level")],
                  differences = differences[, c("study", "difference", "ci_lower", "ci_upper",
                                                "ci_level")]),
  effect_sizes = escalc_out, models = models, pooled_by_counts = pooled_by_counts,
  subgroups = subgroups, leave_one_out = leave_one_out, egger = egger
)
cat(jsonlite::toJSON(output, auto_unbox = TRUE, digits = I(17), na = "null", pretty = TRUE))
cat("\n")

# autodev's merge policy: the seed's example, in Rego v1, with the same rules and codes as
# src/policy/local.ts (a test holds the two to each other).
#
# autodev asks POST /v1/data/autodev/merge with {"input": <PolicyInput>} (docs/policy-input.schema.json)
# and reads back:
#   allow: boolean                            - the change may merge itself
#   deny:  set of {"code": ..., "message": ...} - why not; code is one of autodev's DenyCodes
# A missing allow, a deny entry that is not such an object, or an unknown code is not an answer:
# autodev then decides with its local rules, marked fallback, and merges nothing.
package autodev.merge

default allow := false

allow if count(deny) == 0

# Tests.

# tests_passed is autodev's comparison with the baseline: failures there before and after are
# pre-existing and do not count.
test_problems contains "the test run failed" if {
	not input.tests_passed
	not input.tests_unavailable
}

deny contains {"code": "TESTS_UNAVAILABLE", "message": msg} if {
	input.tests_unavailable
	msg := sprintf("Tests unavailable: %s", [input.tests_unavailable])
}

test_problems contains msg if {
	input.tests_after.passed < input.tests_before.passed
	msg := sprintf(
		"fewer pass after the change (%d) than before (%d)",
		[input.tests_after.passed, input.tests_before.passed],
	)
}

deny contains {"code": "TESTS_FAILED", "message": msg} if {
	count(test_problems) > 0
	msg := sprintf("Tests must pass: %s", [concat("; ", sort(test_problems))])
}

# Lint.

lint_introduced := max([input.clippy_warnings, object.get(input, "lint_warnings_introduced", 0)])

deny contains {"code": "LINT_INTRODUCED", "message": msg} if {
	lint_introduced > 0
	msg := sprintf("Lint warnings must be 0 (found %d)", [lint_introduced])
}

deny contains {"code": "LINT_UNAVAILABLE", "message": msg} if {
	count(input.lint_unavailable) > 0
	msg := sprintf("Static analysis not available: %s", [concat(", ", input.lint_unavailable)])
}

# Secrets and risk.

deny contains {"code": "SECRETS_FOUND", "message": "Secrets detected in changes"} if input.secrets_found

deny contains {"code": "HIGH_RISK_REVIEW", "message": "High-risk changes require human review"} if {
	input.risk_tier == "high"
}

deny contains {"code": "MEDIUM_RISK_REVIEW", "message": "Medium-risk changes require human review"} if {
	input.risk_tier == "medium"
}

# What the change touched.

schema_files := [f | some f in input.files_changed; endswith(lower(f), ".sql")]

deny contains {"code": "DB_SCHEMA_CHANGE", "message": msg} if {
	count(schema_files) > 0
	msg := sprintf("DB schema changes require DBA approval: %s", [concat(", ", schema_files)])
}

added_dependencies := {name | some name in input.new_dependencies} | {d.name |
	some d in object.get(input, "dependency_changes", [])
	d.change == "added"
}

deny contains {"code": "NEW_DEPENDENCY", "message": msg} if {
	count(added_dependencies) > 0
	msg := sprintf("New dependencies require approval: %s", [concat(", ", sort(added_dependencies))])
}

# The change must not judge itself: what it did to the checks is for a human to accept.

deny contains {"code": "AUTODEV_CONFIG_CHANGED", "message": msg} if {
	count(input.autodev_config_changed) > 0
	msg := sprintf(
		"Changes to autodev's configuration require human review: %s",
		[concat(", ", input.autodev_config_changed)],
	)
}

deny contains {"code": "TESTS_CHANGED", "message": msg} if {
	count(input.test_changes) > 0
	msg := sprintf("Changes to tests or how they run require human review: %s", [concat(", ", input.test_changes)])
}

deny contains {"code": "BASELINE_TESTS_MISSING", "message": msg} if {
	count(input.baseline_failures_missing) > 0
	msg := sprintf(
		"Tests that failed before the change must pass after it; not passing: %s",
		[concat(", ", input.baseline_failures_missing)],
	)
}

# Benchmarks significantly slower than on the base by more than max_regression_pct (src/perf/).

deny contains {"code": "PERF_REGRESSION", "message": msg} if {
	some r in input.perf_regressions
	msg := sprintf(
		"Performance regression in %s: %v times its base (%v %s to %v %s, 95%% CI %v to %v), beyond %v%%",
		[r.name, r.ratio, r.base, r.unit, r.head, r.unit, r.ci[0], r.ci[1], r.max_regression_pct],
	)
}

# The task's constraints that autodev checked and found violated.

deny contains {"code": "CONSTRAINT_VIOLATED", "message": msg} if {
	some c in input.constraints
	c.violated == true
	msg := sprintf("Constraint not met: %s%s", [c.text, constraint_details(c)])
}

constraint_details(c) := sprintf(" (%s)", [concat(", ", c.details)]) if {
	count(c.details) > 0
} else := ""

# A multi-repo task's consumer repositories (the fields above are the library's): the same rules,
# each denial naming the repository.

deny contains {"code": "TESTS_FAILED", "message": msg} if {
	some r in object.get(input, "repos", [])
	not r.tests_passed
	msg := sprintf("Tests must pass in %s: the test run failed", [r.repo])
}

deny contains {"code": "LINT_INTRODUCED", "message": msg} if {
	some r in object.get(input, "repos", [])
	r.lint_warnings_introduced > 0
	msg := sprintf("Lint warnings must be 0 in %s (found %d)", [r.repo, r.lint_warnings_introduced])
}

deny contains {"code": "SECRETS_FOUND", "message": msg} if {
	some r in object.get(input, "repos", [])
	r.secrets_found
	msg := sprintf("Secrets detected in changes to %s", [r.repo])
}

deny contains {"code": "NEW_DEPENDENCY", "message": msg} if {
	some r in object.get(input, "repos", [])
	count(r.new_dependencies) > 0
	msg := sprintf("New dependencies require approval in %s: %s", [r.repo, concat(", ", sort({n | some n in r.new_dependencies}))])
}

deny contains {"code": "AUTODEV_CONFIG_CHANGED", "message": msg} if {
	some r in object.get(input, "repos", [])
	count(r.autodev_config_changed) > 0
	msg := sprintf(
		"Changes to autodev's configuration require human review in %s: %s",
		[r.repo, concat(", ", r.autodev_config_changed)],
	)
}

deny contains {"code": "TESTS_CHANGED", "message": msg} if {
	some r in object.get(input, "repos", [])
	count(r.test_changes) > 0
	msg := sprintf("Changes to tests or how they run require human review in %s: %s", [r.repo, concat(", ", r.test_changes)])
}

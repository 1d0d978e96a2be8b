"""Tests of the benchmark suite (``python -m benchmarks``): its CLI, jobs, reports and Dask path."""

import contextlib
import doctest
import importlib
import io
import json
import socket
import time

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import pandas as pd

from benchmarks import _cleanlab, cli, datasets, methods, report, runner, seed, sweep
from benchmarks.datasets import (
    DATASETS,
    article_data,
    article_flip,
    class_conditional_matrix,
    default_datasets,
)
from benchmarks.methods import METHODS, Method, MethodUnavailable, check_available
from benchmarks.runner import Job, SchedulerUnreachable, connect, run_jobs
from benchmarks.seed import seed_job
from benchmarks.sweep import sweep_job

# a grid that runs in about a second: 2 cheap methods, 1 dataset, 2 rates, 1 seed, 2 folds
SMALL = ["--datasets", "wine", "--methods", "logistic_regression,random_forest", "--noise-types",
         "symmetric", "--rates", "0.2", "--seeds", "0", "--cv", "2", "--n-jobs", "1", "--no-progress"]


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fail_if_called(*args, **kwargs):
    raise AssertionError("no job may run after bad input")


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """``main`` on the small grid: (exit status, stdout, output folder)."""
    out = tmp_path_factory.mktemp("results")
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        status = cli.main(["sweep", *SMALL, "--output", str(out)])
    return status, stdout.getvalue(), out


@pytest.mark.parametrize("module", [cli, datasets, methods, report, runner, seed, sweep, _cleanlab],
                         ids=lambda m: m.__name__)
def test_benchmark_docstring_examples_run(module):
    # pytest's --doctest-modules covers skrobust/ and tests/ only; benchmarks/ is run from here
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


# ------------------------------------------------------------------ the article's experiment


def test_article_procedure_reproduces_the_articles_random_forest_numbers():
    from sklearn.ensemble import RandomForestClassifier

    X_train, X_test, y_train, y_test = article_data()
    clean = RandomForestClassifier(random_state=42).fit(X_train, y_train).score(X_test, y_test)
    noisy = RandomForestClassifier(random_state=42).fit(X_train, article_flip(y_train, 42)).score(X_test, y_test)
    assert (clean, noisy) == (0.93, 0.86)


def test_article_flip_changes_exactly_the_rate_and_not_its_input():
    _, _, y_train, _ = article_data()
    before = y_train.copy()
    flipped = article_flip(y_train, seed=3)
    assert (flipped != y_train).sum() == int(0.2 * len(y_train))
    np.testing.assert_array_equal(y_train, before)


def _fake_seed_results(options):
    return pd.DataFrame([
        {"method": m, "noise_type": noise, "noise_rate": r, "seed": s, "accuracy": acc,
         "fit_time": 0.1, "error": ""}
        for _, m, noise, r, _ in seed.rows(options["methods"])
        for s, acc in zip([0, 1, 42], [0.9, 0.92, 0.91])
    ])


def test_seed_plot_writes_a_png_with_every_row(tmp_path):
    options = seed.settings(seeds=[0, 1])
    seed.plot(_fake_seed_results(options), options, tmp_path / "seed.png")
    assert (tmp_path / "seed.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def saved_figures(monkeypatch):
    """The figures the plots save (instead of writing them)."""
    import matplotlib.figure

    figures = []
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", lambda self, *args, **kwargs: figures.append(self))
    return figures


def test_seed_plot_bars_start_at_zero_with_the_tables_numbers_and_dashed_lines_in_the_legend(saved_figures):
    options = seed.settings(seeds=[0, 1])
    seed.plot(_fake_seed_results(options), options, "unused.png")
    [figure] = saved_figures
    ax = figure.axes[0]
    assert ax.get_xlim()[0] == 0
    assert [t.get_text() for t in ax.texts] == ["91.00 ± 1.00 %"] * len(seed.rows(options["methods"]))
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert "ceiling mean, 91.00 %" in legend and "baseline mean, 91.00 %" in legend
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 2


def test_sweep_plot_has_a_legend_entry_for_every_method(saved_figures, small_run):
    _, _, out = small_run
    data = json.loads((out / "sweep.json").read_text())
    sweep.plot(pd.DataFrame(data["results"]).fillna({"error": ""}), data["settings"], "unused.png")
    [figure] = saved_figures
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert legend == [METHODS[m].label for m in data["settings"]["methods"]]


def test_sweep_plot_starts_at_zero_and_does_not_repeat_symmetric_noise_as_two_class_pair_noise(saved_figures):
    options = sweep.settings(datasets=["breast_cancer", "wine"], noise_types=["symmetric", "pair"], rates=[0.2],
                             methods=["logistic_regression", "random_forest"], seeds=[0])
    results = pd.DataFrame([
        {"dataset": j.dataset, "noise_type": j.noise_type, "noise_rate": j.noise_rate, "method": j.method,
         "seed": j.seed, "accuracy": 0.95 - j.noise_rate, "fit_time": 0.1, "error": "", "warnings": ""}
        for j in sweep.jobs(options)
    ])
    sweep.plot(results, options, "unused.png")
    [figure] = saved_figures
    cancer_symmetric, cancer_pair, wine_symmetric, wine_pair = figure.axes
    assert not cancer_pair.lines and "pair noise is" in cancer_pair.texts[0].get_text()  # 2 classes
    for ax in (cancer_symmetric, wine_symmetric, wine_pair):
        assert len(ax.containers) == 2  # a curve per method
    for ax in figure.axes:
        assert ax.get_ylim()[0] == 0 and ax.get_ylim()[1] >= 95
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert legend == [METHODS[m].label for m in options["methods"]]
    # two classes only: no pair-noise column at all
    options = {**options, "datasets": ["breast_cancer"]}
    sweep.plot(results[results["dataset"] == "breast_cancer"], options, "unused.png")
    assert [ax.get_title() for ax in saved_figures[1].axes] == ["breast_cancer — symmetric noise"]


def test_seed_summary_marks_the_articles_numbers_and_true_label_use():
    options = seed.settings(seeds=[0, 1])
    results = _fake_seed_results(options)
    text = seed.summary(results, options, {"command": "x", "date": "d", "platform": "p", "processor": "c",
                                           "cpu_count": 2, "python": "3", "packages": {}})
    assert "91.00 ± 1.00" in text
    assert "93.00 (RandomForest on clean labels)" in text
    assert text.count("**used true labels**") == 2
    coteaching_row = next(line for line in text.splitlines() if "CoTeaching" in line)
    assert "90.00" in coteaching_row and "used true labels" in coteaching_row


def test_seed_job_noise_kinds_differ_only_in_how_labels_are_corrupted():
    def accuracy(noise, rate):
        return seed_job(Job("article", noise, rate, "random_forest", 0))["accuracy"]

    clean = accuracy("none", 0.0)
    flipped = accuracy("article_flip", 0.2)
    injected = accuracy("symmetric", 0.2)
    assert clean > max(flipped, injected)  # both noises cost the forest accuracy
    assert flipped != injected  # different flips, the article's and skrobust's


# ------------------------------------------------------------------ datasets, noise, methods


def test_class_conditional_matrix_is_row_stochastic_with_the_nominal_mean_rate():
    for k in (2, 3, 10):
        m = class_conditional_matrix(k, 0.4)
        np.testing.assert_allclose(m.sum(axis=1), 1)
        assert np.isclose(np.mean(1 - np.diag(m)), 0.4)
        assert np.all(np.diff(1 - np.diag(m)) > 0)  # rates rise with the class index


@pytest.mark.parametrize("name", [name for name in DATASETS if name != "large"])
def test_registered_datasets_load_as_read_only_float_features_and_labels(name):
    X, y = DATASETS[name].load()
    assert X.dtype == np.float64 and len(X) == len(y)
    assert len(np.unique(y)) == DATASETS[name].n_classes
    assert not X.flags.writeable and not y.flags.writeable


def test_opt_in_datasets_are_left_out_of_the_default_sweep():
    opt_in = {name for name, d in DATASETS.items() if "sweep" not in d.groups}
    assert "large" in opt_in and "iris" in opt_in
    assert not opt_in & set(sweep.settings()["datasets"])
    assert set(sweep.settings()["datasets"]) == set(default_datasets())


def _method_params():
    for name, method in METHODS.items():
        # building MAEClassifier imports TensorFlow: slow, as the other TensorFlow tests
        marks = [pytest.mark.slow] if "MAEClassifier" in method.description else []
        yield pytest.param(name, id=name, marks=marks)


@pytest.mark.parametrize("name", list(_method_params()))
def test_every_method_builds_a_fresh_seeded_classifier(name):
    from sklearn.base import is_classifier

    first, second = METHODS[name](7), METHODS[name](7)
    assert first is not second
    assert is_classifier(first) or hasattr(first, "predict_proba")
    assert repr(first) == repr(second)  # the seed fixes the estimator
    # a seeded method takes the seed; None only where there is nothing random (lbfgs)
    assert first.get_params().get("random_state", 7) in (7, None)
    assert METHODS[name].kind in ("baseline", "skrobust", "peer")


def test_the_articles_network_is_a_seed_suite_row_but_not_a_sweep_default():
    assert "mae_article" in seed.settings()["methods"]
    assert "mae_article" not in sweep.settings()["methods"]
    assert "mae_article" in sweep.settings(methods=["mae_article"])["methods"]  # still runnable by name
    assert seed.ARTICLE["mae_article"][1] == "Keras MLP 16-16-1 with MAE loss"


def test_a_new_method_is_one_registry_entry(monkeypatch, tmp_path):
    from sklearn.naive_bayes import GaussianNB

    monkeypatch.setitem(METHODS, "naive_bayes",
                        Method("naive_bayes", "GaussianNB", "baseline", "GaussianNB()", lambda seed: GaussianNB()))
    argv = list(SMALL)
    argv[argv.index("--methods") + 1] = "naive_bayes"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert cli.main(["sweep", *argv, "--output", str(tmp_path)]) == 0
    assert "| GaussianNB |" in stdout.getvalue()


def test_cleanlab_peer_has_classes_after_fit():
    X, y = DATASETS["wine"].load()
    model = METHODS["cleanlab"](0).fit(StandardScaler().fit_transform(X), y)
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])


def test_missing_method_module_is_reported_by_name(monkeypatch):
    def build(seed):
        raise ModuleNotFoundError("No module named 'skrobust.missing'")

    monkeypatch.setitem(METHODS, "mae", Method("mae", "MAE", "skrobust", "skrobust.MAEClassifier", build))
    with pytest.raises(MethodUnavailable, match=r"mae: .*No module named 'skrobust.missing'"):
        check_available(["random_forest", "mae"])


# ------------------------------------------------------------------ jobs


def test_zero_noise_job_equals_plain_cross_validation():
    X, y = DATASETS["wine"].load()
    result = sweep_job(Job("wine", "none", 0.0, "logistic_regression", 0), cv=3)
    plain = cross_val_score(make_pipeline(StandardScaler(), METHODS["logistic_regression"](0)), X, y,
                            cv=StratifiedKFold(3, shuffle=True, random_state=0))
    np.testing.assert_allclose(result["accuracy_folds"], plain)


def test_failing_job_is_recorded_not_raised(monkeypatch):
    def build(seed):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=-1.0)  # invalid: fit raises

    monkeypatch.setitem(METHODS, "logistic_regression",
                        Method("logistic_regression", "LR", "baseline", "broken", build))
    [result] = run_jobs(sweep_job, [Job("wine", "none", 0.0, "logistic_regression", 0)],
                        options={"cv": 2}, progress=False).to_dict("records")
    assert np.isnan(result["accuracy"])
    assert "InvalidParameterError" in result["error"]


def test_runner_returns_one_tidy_row_per_job_in_job_order():
    jobs = [Job("wine", t, r, "logistic_regression", 0) for t, r in [("none", 0.0), ("symmetric", 0.4)]]
    frame = run_jobs(sweep_job, jobs, options={"cv": 2}, progress=False)
    assert isinstance(frame, pd.DataFrame) and len(frame) == 2
    assert list(frame["noise_rate"]) == [0.0, 0.4]
    assert {"dataset", "method", "seed", "accuracy", "accuracy_folds", "fit_time", "cpu_time", "error",
            "warnings"} <= set(frame.columns)
    assert frame["accuracy"].iloc[0] > frame["accuracy"].iloc[1]


@pytest.mark.slow
def test_results_come_back_in_job_order_with_two_processes():
    jobs = [Job("wine", t, r, "logistic_regression", s)
            for t, r in [("none", 0.0), ("symmetric", 0.4)] for s in (0, 1)]
    parallel = run_jobs(sweep_job, jobs, options={"cv": 2}, n_jobs=2, progress=False)
    sequential = run_jobs(sweep_job, jobs, options={"cv": 2}, n_jobs=1, progress=False)
    assert list(zip(parallel["noise_rate"], parallel["seed"])) == [(j.noise_rate, j.seed) for j in jobs]
    assert parallel["accuracy_folds"].tolist() == sequential["accuracy_folds"].tolist()


# ------------------------------------------------------------------ reports


def test_recovery_ratio_and_head_to_head_from_seed_means():
    results = []
    for method, clean, noisy in [("random_forest", 0.9, 0.7), ("coteaching", 0.9, 0.85), ("cleanlab", 0.9, 0.8)]:
        for rate, acc in [(0.0, clean), (0.2, noisy)]:
            results.append({"dataset": "wine", "noise_type": "none" if rate == 0 else "symmetric",
                            "noise_rate": rate, "method": method, "seed": 0, "accuracy": acc,
                            "fit_time": 0.1, "error": ""})
    cells = sweep.aggregate(pd.DataFrame(results))
    assert sweep.recovery_ratio(cells, "wine", "symmetric", 0.2, "coteaching") == pytest.approx(0.75)
    options = sweep.settings(datasets=["wine"], noise_types=["symmetric"], rates=[0.2],
                             methods=["random_forest", "coteaching", "cleanlab"], seeds=[0])
    wins, ties, losses, diff = sweep.head_to_head(cells, options, "coteaching", "cleanlab")
    assert (wins, ties, losses) == (1, 0, 0) and diff == pytest.approx(5.0)


def test_small_sweep_prints_the_table_and_writes_every_file(small_run):
    status, stdout, out = small_run
    assert status == 0
    assert "| wine | symmetric | 0.2 |" in stdout
    assert "Head to head" not in stdout  # no skrobust method in this grid
    for ext in ("md", "csv", "json", "png"):
        assert (out / f"sweep.{ext}").stat().st_size > 0
    data = json.loads((out / "sweep.json").read_text())
    assert len(data["results"]) == 2 * 2  # (clean + 1 noisy setting) x 2 methods x 1 seed
    assert data["environment"]["packages"]["scikit-learn"]
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_update_reruns_only_the_given_methods_and_keeps_the_other_rows(small_run, tmp_path):
    _, _, out = small_run
    earlier = json.loads((out / "sweep.json").read_text())
    for record in earlier["results"]:  # marks: a rerun row is recomputed, a kept row is copied
        if record["method"] == "logistic_regression":
            record["accuracy"] = -1.0
        else:
            record["warnings"] = "kept"
    (tmp_path / "earlier.json").write_text(json.dumps(earlier))
    argv = ["sweep", "--methods", "logistic_regression", "--update", str(tmp_path / "earlier.json"),
            "--n-jobs", "1", "--no-progress", "--output", str(tmp_path)]
    assert cli.main(argv) == 0
    merged = json.loads((tmp_path / "sweep.json").read_text())
    assert merged["settings"]["methods"] == ["logistic_regression", "random_forest"]
    assert merged["settings"]["seeds"] == earlier["settings"]["seeds"]
    rows = {m: [r for r in merged["results"] if r["method"] == m] for m in ("logistic_regression", "random_forest")}
    assert len(rows["logistic_regression"]) == len(rows["random_forest"]) == 2
    assert all(0 < r["accuracy"] <= 1 for r in rows["logistic_regression"])  # recomputed, not the mark
    assert rows["random_forest"] == [r for r in earlier["results"] if r["method"] == "random_forest"]
    assert merged["environment"]["date"] == earlier["environment"]["date"]
    assert merged["environment"]["updates"][0]["methods"] == ["logistic_regression"]
    text = (tmp_path / "sweep.md").read_text()
    assert "- rerun of `logistic_regression`: `python -m benchmarks sweep --methods logistic_regression" in text
    assert "- wall time of the update: " in text


def test_full_sweep_runs_every_setting_method_and_seed_and_announces_its_time():
    options = sweep.settings()
    settings = sum(len(sweep.noise_settings(options, d)) for d in options["datasets"])
    assert len(sweep.jobs(options)) == settings * len(options["methods"]) * len(options["seeds"])
    assert len(options["seeds"]) >= 5 and options["cv"] == 5
    assert sweep.estimate_seconds(options, n_workers=2) > sweep.estimate_seconds(options, n_workers=4) > 0


def test_sweep_announces_its_job_count_and_expected_time(tmp_path, capsys):
    assert cli.main(["sweep", *SMALL, "--output", str(tmp_path)]) == 0
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith("sweep: 4 jobs on 1 local process(es); expected time about ")


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "argv, message",
    [
        (["nope"], "unknown suite 'nope'; valid suites: seed, sweep"),
        (["sweep", "--datasets", "wine,mnist"], "unknown dataset 'mnist'; valid datasets: "),
        (["sweep", "--methods", "svm"], "unknown method 'svm'; valid methods: "),
        (["sweep", "--noise-types", "uniform"], "unknown noise type 'uniform'; valid noise types: symmetric"),
        (["sweep", "--rates", "0.2,1.5"], "--rates: expected comma-separated numbers in"),
        (["sweep", "--seeds", "a-b"], "--seeds: expected non-negative integers"),
        (["seed", "--datasets", "wine"], "--datasets applies to the sweep suite only"),
        (["sweep", "--data", "x.csv"], "--data FILE and --target COLUMN go together"),
        (["sweep", "--data", "x.csv", "--target", "y", "--datasets", "wine"], "either --data"),
        (["seed", "--methods", "mae", "--update", "x.json"], "--update applies to the sweep suite only"),
        (["sweep", "--update", "x.json"], "--update needs --methods"),
        (["sweep", "--methods", "mae", "--update", "x.json", "--seeds", "0", "--cv", "2"],
         "--update takes the earlier sweep's settings; leave out --seeds, --cv"),
        (["sweep", "--methods", "mae", "--update", "missing.json"], "--update: cannot read 'missing.json'"),
    ],
)
def test_bad_names_exit_with_a_message_listing_the_valid_ones(argv, message, capsys, monkeypatch):
    monkeypatch.setattr(cli, "run_jobs", _fail_if_called)
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "module, choices",
    [
        ("bench_coteaching", "tuning, article, digits, timing"),
        ("bench_relabel", "tuning, noise_rate, article, digits, scale"),
        ("bench_noise", "labels, injector, projection, boundary"),
        ("bench_neural", "import, tuning, article, digits, timing, gate"),
        ("bench_scoring", "class, instance"),
        ("bench_shapes", "accuracy, noise_rate"),
    ],
)
def test_a_component_benchmark_rejects_an_unknown_part_before_any_work(module, choices, capsys):
    # a misspelt part used to run nothing and write a report without its section
    main = importlib.import_module(f"benchmarks.{module}").main
    with pytest.raises(SystemExit) as exc:
        main(["--parts", "tuning,noise-rate", "--output", ""])
    assert exc.value.code == 2
    assert f"; choose from {choices}" in capsys.readouterr().err


def test_unwritable_output_is_reported_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "run_jobs", _fail_if_called)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert cli.main(["sweep", *SMALL, "--output", str(blocker / "results")]) == 2
    err = capsys.readouterr().err
    assert "cannot write results to the output folder" in err and "--output" in err


def test_unreachable_scheduler_fails_within_seconds(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "run_jobs", _fail_if_called)
    address = f"tcp://127.0.0.1:{_closed_port()}"
    start = time.perf_counter()
    status = cli.main(["sweep", *SMALL, "--output", str(tmp_path), "--scheduler", address,
                       "--scheduler-timeout", "2"])
    assert time.perf_counter() - start < 15
    assert status == 2
    assert f"could not reach the Dask scheduler at '{address}' within 2" in capsys.readouterr().err


def test_connect_raises_a_clear_error():
    with pytest.raises(SchedulerUnreachable, match="could not reach the Dask scheduler"):
        connect(f"tcp://127.0.0.1:{_closed_port()}", timeout=1)


def test_unavailable_method_stops_the_run_unless_skipped(tmp_path, capsys, monkeypatch):
    def build(seed):
        raise ImportError("No module named 'tensorflow'")

    monkeypatch.setitem(METHODS, "mae", Method("mae", "MAE", "skrobust", "skrobust.MAEClassifier", build))
    argv = ["sweep", *SMALL, "--output", str(tmp_path)]
    argv[argv.index("--methods") + 1] = "logistic_regression,mae"
    with monkeypatch.context() as m:
        m.setattr(cli, "run_jobs", _fail_if_called)
        assert cli.main(argv) == 2
    assert "mae: skrobust.MAEClassifier needs a module that is missing" in capsys.readouterr().err

    assert cli.main([*argv, "--skip-unavailable"]) == 0
    captured = capsys.readouterr()
    assert "skipping mae" in captured.err
    assert "skipped (could not be built here): mae" in captured.out


# ------------------------------------------------------------------ Dask


@pytest.mark.slow
def test_dask_local_cluster_gives_the_local_results(small_run, tmp_path):
    from distributed import LocalCluster

    _, _, local_out = small_run
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        assert len(cluster.workers) == 2
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout):
            status = cli.main(["sweep", *SMALL, "--output", str(tmp_path), "--scheduler", cluster.scheduler_address])
    assert status == 0
    assert "on the Dask cluster at tcp://" in stdout.getvalue()

    def outcome(folder):  # timings differ between runs; everything else must not
        rows = json.loads((folder / "sweep.json").read_text())["results"]
        return [{k: v for k, v in r.items() if k not in ("fit_time", "cpu_time")} for r in rows]

    assert outcome(tmp_path) == outcome(local_out)


# ------------------------------------------------------------------ the user's own data

USER = ["--methods", "logistic_regression,random_forest", "--noise-types", "symmetric,pair,instance", "--rates", "0.3",
        "--seeds", "0", "--cv", "2", "--n-jobs", "1", "--no-progress"]


def _user_frame(n=120):
    rng = np.random.RandomState(0)
    size = rng.randn(n)
    colour = rng.choice(["red", "green", "blue"], n)
    weight = rng.randn(n)
    weight[::17] = np.nan  # a missing value, as real files have
    label = np.where(size + (colour == "red") * 1.5 - (colour == "blue") > 0.3, "cat", "dog")
    return pd.DataFrame({"size": size, "colour": colour, "weight": weight, "species": label})


@pytest.mark.parametrize("extension", ["csv", "parquet"])
def test_sweep_on_a_users_file_with_categorical_columns_and_string_labels(extension, tmp_path):
    frame = _user_frame()
    path = tmp_path / f"pets.{extension}"
    frame.to_csv(path, index=False) if extension == "csv" else frame.to_parquet(path)
    out = tmp_path / "out"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        status = cli.main(["sweep", "--data", str(path), "--target", "species", *USER, "--output", str(out)])
    assert status == 0
    text = stdout.getvalue()
    assert "| pets | symmetric | 0.3 |" in text
    assert "| pets | pair |" not in text  # two classes: pair noise is symmetric noise, run once
    assert "| pets | instance | 0.3 |" in text  # its noise model sits behind the file's preprocessing
    assert "1 categorical columns), target 'species', 2 classes" in text
    assert "one-hot encoded" in text
    for ext in ("md", "csv", "json", "png"):
        assert (out / f"sweep-pets.{ext}").stat().st_size > 0
    rows = json.loads((out / "sweep-pets.json").read_text())["results"]
    assert len(rows) == 2 * 3 and not any(r["error"] for r in rows)
    clean = [r["accuracy"] for r in rows if r["noise_rate"] == 0]
    assert min(clean) > 0.8  # the categorical column was used: "size" alone gives at most 0.75


def test_users_columns_are_imputed_scaled_and_one_hot_encoded():
    from benchmarks.datasets import _table_preprocessor

    X = _user_frame().drop(columns="species")
    encoded = _table_preprocessor(["size", "weight"], ["colour"]).fit_transform(X)
    assert encoded.shape == (len(X), 2 + 3) and not np.isnan(encoded).any()


@pytest.mark.parametrize(
    "content, name, target, message",
    [
        (None, "missing.csv", "species", "--data '{path}': no such file"),
        ("frame", "pets.csv", "kind", "--target 'kind': no such column in '{path}'; its columns are 'size'"),
        ("one class", "pets.csv", "species", "--target 'species': needs at least two classes"),
        ("frame", "pets.xlsx", "species", "unknown file format '.xlsx'; expected a .csv or .parquet file"),
        ("garbage", "pets.parquet", "species", "--data '{path}': cannot be read as PARQUET"),
        ("unlabelled", "pets.csv", "species", "--target 'species': 1 rows of '{path}' have no label"),
    ],
)
def test_bad_data_file_fails_with_a_clear_message(content, name, target, message, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "run_jobs", _fail_if_called)
    path = tmp_path / name
    frame = _user_frame()
    if content == "frame":
        frame.to_csv(path, index=False)
    elif content == "one class":
        frame.assign(species="cat").to_csv(path, index=False)
    elif content == "unlabelled":
        frame.assign(species=frame["species"].where(frame.index != 3)).to_csv(path, index=False)
    elif content == "garbage":
        path.write_bytes(b"this is not a parquet file")
    with pytest.raises(SystemExit) as exc:
        cli.main(["sweep", "--data", str(path), "--target", target, "--output", str(tmp_path)])
    assert exc.value.code == 2
    assert message.format(path=path) in capsys.readouterr().err


# ------------------------------------------------------------------ TensorFlow's start-up lines


@pytest.mark.slow
def test_benchmark_output_has_no_tensorflow_start_up_lines(tmp_path):
    import subprocess
    import sys

    argv = [sys.executable, "-m", "benchmarks", "sweep", "--datasets", "wine", "--methods", "mae",
            "--noise-types", "symmetric", "--rates", "0.2", "--seeds", "0", "--cv", "2", "--n-jobs", "2",
            "--output", str(tmp_path)]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=600)
    output = done.stdout + done.stderr
    assert "| wine | symmetric | 0.2 |" in done.stdout
    for line in ("oneDNN", "cuda", "absl", "E0000", "I0000", "cpu_feature_guard"):
        assert line not in output


def test_tuning_gain_pairs_the_two_methods_seed_by_seed():
    from benchmarks.tuning import gain

    rows = [
        {"method": method, "dataset": "wine", "noise_type": "pair", "noise_rate": 0.2, "seed": seed,
         "fold": fold, "accuracy": accuracy + 0.01 * fold}
        for method, offset in (("a", 0.0), ("b", 0.1))
        for seed, accuracy in ((100, 0.5 + offset), (101, 0.8 + offset * 3))
        for fold in range(2)
    ]
    cell = gain(pd.DataFrame(rows), "b", "a").loc[("wine", "pair", 0.2)]
    # per seed: b - a = 10 and 30 points
    assert cell["mean"] == pytest.approx(20.0)
    assert cell["std"] == pytest.approx(np.std([10.0, 30.0], ddof=1))


def _fake_tuning_table(accuracy, methods_=("RandomForestClassifier()", "MLPClassifier()",
                                            "CoTeachingClassifier(forget_rate=0)", "CoTeachingClassifier()"),
                       datasets_=("iris", "wine")):
    """An evaluate() table: ``accuracy(method, dataset, noise_type, rate)`` for every seed and fold."""
    from benchmarks.tuning import NOISE_SETTINGS

    return pd.DataFrame([
        {"method": m, "dataset": d, "noise_type": t, "noise_rate": r, "seed": s, "fold": f,
         "accuracy": accuracy(m, d, t, r), "fit_time": 0.1}
        for m in methods_ for d in datasets_ for t, r in NOISE_SETTINGS
        for s in (100, 101) for f in range(3)
    ])


def test_coteaching_tuning_summary_counts_the_acceptance_and_names_every_lost_cell():
    from benchmarks.bench_coteaching import tuning_markdown

    def accuracy(method, dataset, noise_type, rate):
        if method == "CoTeachingClassifier()":  # one point below the MLP on iris at 40% pair noise
            return 0.80 if (dataset, noise_type, rate) == ("iris", "pair", 0.4) else 0.90
        return {"RandomForestClassifier()": 0.95, "MLPClassifier()": 0.81}.get(method, 0.90)

    text = tuning_markdown(_fake_tuning_table(accuracy))
    assert "clean labels, within 0.5 point of its plain network: 2 of 2 data sets" in text
    assert "CT ≥ MLPClassifier(): 7 of 8; lost: iris pair 40% (-1.0)." in text
    assert "CT ≥ RandomForestClassifier(): 0 of 8; more than 1 point below it: iris pair 20% (-5.0)" in text
    assert text.count("\n| iris |") == 5 and text.count("\n| wine |") == 5


def test_check_shapes_summary_counts_each_issues_bar_and_names_every_missed_cell():
    from benchmarks.bench_shapes import CFR, CL, CT, CT_PLAIN, MAE, MLP, RF, accuracy_markdown

    def accuracy(method, dataset, noise_type, rate):
        if (method, dataset, rate) in ((CFR, "small6", 0.0), (CT, "binary7", 0.0)):  # clean-label taxes
            return 0.87
        if (method, dataset, noise_type, rate) == (MAE, "binary7", "pair", 0.4):
            return 0.79
        return {RF: 0.90, MLP: 0.80, CL: 0.85}.get(method, 0.90)

    methods = (RF, MLP, MAE, CT_PLAIN, CT, CFR, CL)
    text = accuracy_markdown(_fake_tuning_table(accuracy, methods, ("small6", "binary7")))
    assert f"clean cells with {CFR} − {RF} ≥ -0.5: 1 of 2; missed: small6 clean (-3.0)." in text
    assert f"clean cells with {CT} − {CT_PLAIN} ≥ -0.5: 1 of 2; missed: binary7 clean (-3.0)." in text
    assert f"| {CT_PLAIN} | {CT} |" in text and "| CT − CT plain |" in text
    assert f"noisy cells with {CT} − {CT_PLAIN}" not in text  # no bar on noisy cells
    assert f"noisy cells with {MAE} − {MLP} ≥ +0.0: 7 of 8; missed: binary7 pair 40% (-1.0)." in text
    assert f"noisy cells with {CFR} − {CL} ≥ +0.0: 8 of 8; missed: none." in text
    assert f"clean cells with {MAE} − {MLP} ≥ -1.0: 2 of 2" in text
    assert "small6 = make_classification: 214 x 9" in text and "signal10" not in text
    assert text.count("\n| small6 |") == 5 and text.count("\n| binary7 |") == 5


def test_check_shapes_are_new_data_sets_loaded_like_the_tuning_data():
    from benchmarks.tuning import CHECK_DATASETS, TUNING_DATASETS

    assert not set(CHECK_DATASETS) & set(TUNING_DATASETS)
    for name, (n_samples, n_features, n_classes) in {"small6": (214, 9, 6), "binary7": (532, 7, 2),
                                                     "signal10": (4000, 40, 10), "leaf32": (1907, 80, 32)}.items():
        X, y = DATASETS[name].load()
        assert X.shape == (n_samples, n_features) and len(np.unique(y)) == n_classes
        assert X.dtype == np.float64 and not X.flags.writeable and not y.flags.writeable


def test_tuning_description_names_a_single_seed_without_a_range():
    from benchmarks.tuning import describe

    one = _fake_tuning_table(lambda *args: 0.9).query("seed == 100")
    assert "seed 100;" in describe(one) and "100-100" not in describe(one)
    assert "seeds 100-101;" in describe(_fake_tuning_table(lambda *args: 0.9))


def test_selector_benchmark_reads_cells_cached_before_and_after_the_runner_into_one_table(tmp_path):
    # a cache line written before the runner nests the scores ("test": {name: ...}); the job
    # function's lines are flat ("test:name"); --cached-only reports both and lists the rest
    from benchmarks import bench_selector as bench

    test = {"random_forest": 0.9, "gradient_boosting": 0.85, "logistic_regression": 0.8, "mlp": 0.95}
    corrected = {"random_forest": 0.7, "gradient_boosting": 0.75, "logistic_regression": 0.6, "mlp": 0.7}
    rest = {"fallback_folds": 1, "selector_time": 3.0, "cv_fit_time": 2.0, "refit_time": 0.5,
            "best_name": "gradient_boosting"}
    nested = {"dataset": "wine", "noise_type": "none", "noise_rate": 0.0, "seed": 100,
              "test": test, "corrected": corrected, "noisy": test, **rest}
    flat = {"dataset": "wine", "noise_type": "pair", "noise_rate": 0.2, "method": "selector", "seed": 100,
            **{f"{kind}:{n}": v for kind, scores in (("test", test), ("corrected", corrected),
                                                     ("noisy", test)) for n, v in scores.items()}, **rest}
    oracle = {"dataset": "wine", "noise_type": "pair", "noise_rate": 0.2, "method": "selector", "seed": 100,
              **{f"oracle:{n}": v for n, v in corrected.items()}}  # the pair cell's control, a line of its own
    cache = tmp_path / "cells.jsonl"
    cache.write_text("".join(json.dumps(line) + "\n" for line in (flat, nested, oracle)))
    table, missing = bench.run(quick=True, cache=str(cache), cached_only=True)
    assert table[["noise_type", "test:mlp", "corrected:gradient_boosting"]].values.tolist() == [
        ["none", 0.95, 0.75], ["pair", 0.95, 0.75]]  # grid order, not the file's
    assert [(job.noise_type, job.noise_rate) for job in missing] == [  # the clean cell lacks its control
        ("none", 0.0), ("symmetric", 0.2), ("symmetric", 0.4), ("pair", 0.4), ("instance", 0.2),
        ("instance", 0.4)]
    text = bench.summary(table)
    assert "| wine | clean | 100 | mlp 95.0 | mlp 95.0 | gradient_boosting 85.0 | mlp 95.0 |  | 1 |" in text
    assert ("| wine | pair 20% | 100 | mlp 95.0 | mlp 95.0 | gradient_boosting 85.0 | mlp 95.0 "
            "| gradient_boosting 85.0 | 1 |") in text
    assert '| scoring="corrected" | 0 of 2 (0%) | 2: wine clean seed 100 (-10.0); ' in text
    assert "| control: clean-label CV (no user has it) | 0 of 1 (0%) | 1: wine pair 20% seed 100 (-10.0) |" in text


def test_noise_rate_estimates_use_the_training_folds_and_noise_of_the_tuning_table():
    from benchmarks.tuning import noise_rate_estimates

    from skrobust import CleanFirstRelabeler, make_noisy_labels

    table = noise_rate_estimates(
        {"cfr": lambda seed: CleanFirstRelabeler(cv=3, random_state=seed)},
        datasets=["iris"], noise=[("none", 0.0), ("pair", 0.2)], seeds=[100],
    )
    assert len(table) == 6 and set(table["fold"]) == {0, 1, 2}
    clean, noisy = table[table["noise_rate"] == 0], table[table["noise_rate"] > 0]
    assert (clean["true_rate"] == 0).all()
    # the first training fold, corrupted as LabelNoiseInjector(random_state=100) does in evaluate()
    X, y = DATASETS["iris"].load()
    train = next(StratifiedKFold(3, shuffle=True, random_state=100).split(X, y))[0]
    _, mask = make_noisy_labels(y[train], noise_rate=0.2, noise_type="pair", random_state=100)
    assert noisy["true_rate"].iloc[0] == pytest.approx(mask.mean())
    assert (noisy["low"] <= noisy["estimate"]).all() and (noisy["estimate"] <= noisy["high"]).all()
    assert (noisy["acted"] == (noisy["low"] >= 0.1)).all() and not clean["acted"].any()


def test_noise_rate_summary_counts_the_cells_within_the_tolerance_and_names_the_others():
    from benchmarks.bench_relabel import NOISE_RATE_METHODS, noise_rate_markdown
    from benchmarks.tuning import NOISE_SETTINGS

    def estimate(method, dataset, rate):
        # co-teaching's estimate 0.08 too high on iris at 40%; everything else exact
        return rate + (0.08 if (method, dataset, rate) == ("CoTeachingClassifier()", "iris", 0.4) else 0.0)

    table = pd.DataFrame([
        {"method": m, "dataset": d, "noise_type": t, "noise_rate": r, "seed": s, "fold": f,
         "true_rate": r, "estimate": estimate(m, d, r), "low": max(0.0, estimate(m, d, r) - 0.05),
         "high": estimate(m, d, r) + 0.05, "acted": estimate(m, d, r) - 0.05 >= 0.1}
        for m in NOISE_RATE_METHODS for d in ("iris", "wine") for t, r in NOISE_SETTINGS
        for s in (100, 101) for f in range(3)
    ])
    text = noise_rate_markdown(table)
    assert "- CleanFirstRelabeler(): noisy cells whose mean estimate is within ±0.05 of the share changed: 8 of 8" in text
    assert "- CoTeachingClassifier(): noisy cells whose mean estimate is within ±0.05 of the share changed: 6 of 8" in text
    assert "missed: iris pair 40% (+0.080), iris symmetric 40% (+0.080)." in text
    # clean cells: not acted on (lower end 0 < 0.1); 20% cells: acted on in every fold
    assert "| iris | clean | 0.000 | 0.000 ± 0.000 | +0.000 | 0% |" in text
    assert "| wine | pair 20% | 0.200 | 0.200 ± 0.000 | +0.000 | 100% |" in text
    assert text.count("\n| iris |") == 5 and text.count("\n| wine |") == 5


def test_run_checked_raises_a_failed_jobs_error_instead_of_printing_nans():
    def job_function(job):
        if job.seed == 1:
            raise ValueError("bad seed")
        return {"value": float(job.seed)}

    jobs = [Job("wine", "none", 0.0, "any", seed) for seed in (0, 1)]
    with pytest.raises(RuntimeError, match="1 of 2 jobs failed.*ValueError: bad seed"):
        runner.run_checked(job_function, jobs, progress=False)
    assert runner.run_checked(job_function, jobs[:1], progress=False)["value"].tolist() == [0.0]


def test_component_benchmarks_name_the_defaults_skrobust_documents():
    # bench_coteaching and bench_relabel spell these defaults out (skrobust's own helpers are private)
    from sklearn.datasets import load_iris

    from benchmarks.bench_coteaching import _default_base
    from benchmarks.bench_relabel import PEER_ESTIMATE_EPOCHS, _tuning_base
    from skrobust import CleanFirstRelabeler, CoTeachingClassifier

    coteaching_doc, relabeler_doc = (" ".join(c.__doc__.split()) for c in (CoTeachingClassifier, CleanFirstRelabeler))
    assert f"make_pipeline(StandardScaler(), {_default_base()!r})" in coteaching_doc
    assert f"after ``PEER_ESTIMATE_EPOCHS`` ({PEER_ESTIMATE_EPOCHS}) plain epochs" in coteaching_doc
    peer = CoTeachingClassifier(forget_rate=0.0, max_epochs=1, random_state=0).fit(*load_iris(return_X_y=True))
    network = peer.estimators_[0][-1]
    assert network.get_params() == _default_base().set_params(random_state=network.random_state).get_params()
    assert "``None`` means ``RandomForestClassifier(min_samples_leaf=5, random_state=random_state)``" in relabeler_doc
    assert "a fit of ``RandomForestClassifier(random_state=random_state)``" in relabeler_doc
    assert repr(_tuning_base(3)) == "RandomForestClassifier(min_samples_leaf=5, random_state=3)"
    assert repr(_tuning_base(3, acting=False)) == "RandomForestClassifier(random_state=3)"


def test_bench_noise_labels_part_is_one_job_per_size_with_its_time_and_memory():
    from benchmarks.bench_noise import labels, labels_markdown

    table = labels([1000, 3000])
    assert table["dataset"].tolist() == ["randint_1000", "randint_3000"]
    assert (table["seconds"] > 0).all() and (table["peak"] > 0).all()
    text = labels_markdown(table)
    assert "\n| 1,000 | " in text and "\n| 3,000 | " in text


# ------------------------------------------------------------------ issue 37: a user's string target


def _passengers(n=80):
    """A user's file: a number, a unique name per row, a category, and a yes/no target."""
    rng = np.random.RandomState(0)
    fare = rng.randn(n)
    port = rng.choice(["S", "C", "Q"], n)
    survived = np.where(fare + (port == "C") + 0.5 * rng.randn(n) > 0.2, "yes", "no")
    return pd.DataFrame({"name": [f"passenger {i}" for i in range(n)], "fare": fare, "port": port,
                         "survived": survived})


def test_cleanlab_peer_takes_string_labels_and_predicts_them():
    frame = _passengers()
    X = pd.get_dummies(frame[["fare", "port"]]).to_numpy(dtype=float)
    model = METHODS["cleanlab"](0).fit(X, frame["survived"].to_numpy())
    assert model.classes_.tolist() == ["no", "yes"]
    assert set(model.predict(X)) <= {"no", "yes"}
    assert model.score(X, frame["survived"]) > 0.6
    assert model.predict_proba(X).shape == (len(frame), 2)


def test_quick_sweep_on_a_users_file_with_a_string_target_fills_cleanlab_and_writes_here(tmp_path, monkeypatch):
    path = tmp_path / "passengers.csv"
    _passengers().to_csv(path, index=False)
    monkeypatch.chdir(tmp_path)  # no --output: a user's run is written to the current folder
    stdout = io.StringIO()
    argv = ["sweep", "--data", str(path), "--target", "survived", "--quick", "--methods", "cleanlab",
            "--noise-types", "symmetric", "--rates", "0.2", "--n-jobs", "1", "--no-progress"]
    with contextlib.redirect_stdout(stdout):
        status = cli.main(argv)
    assert status == 0
    rows = json.loads((tmp_path / "sweep-passengers-quick.json").read_text())["results"]
    assert len(rows) == 2 and not any(r["error"] for r in rows)
    assert all(0.5 < r["accuracy"] <= 1 for r in rows)
    assert "failed" not in stdout.getvalue()


def test_time_estimate_of_a_users_file_counts_its_one_hot_columns(tmp_path):
    frame = _passengers(n=400)
    frame.to_csv(tmp_path / "named.csv", index=False)
    frame.drop(columns="name").to_csv(tmp_path / "unnamed.csv", index=False)
    named = sweep.settings(quick=True, data=str(tmp_path / "named.csv"), target="survived")
    unnamed = sweep.settings(quick=True, data=str(tmp_path / "unnamed.csv"), target="survived")
    assert sweep._encoded_shape(named["data"]["path"], "survived") == (400, 1 + 3 + 400)
    ratio = (sweep.estimate_seconds(named, 1) - sweep.STARTUP_SECONDS) / (
        sweep.estimate_seconds(unnamed, 1) - sweep.STARTUP_SECONDS)
    assert ratio == pytest.approx((404 / 20) ** sweep.WIDTH_EXPONENT, rel=0.1)  # 400 names: ~2.1 times the time


# ------------------------------------------------------------------ choose: the user's labels as they are


def test_choose_on_a_users_file_names_the_choice_its_margin_and_writes_table_and_plot(tmp_path):
    path = tmp_path / "pets.csv"
    _user_frame().to_csv(path, index=False)  # string labels, a text column, a missing value
    out = tmp_path / "out"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        status = cli.main(["choose", "--data", str(path), "--target", "species", "--candidates",
                           "logistic_regression,random_forest", "--cv", "3", "--output", str(out)])
    assert status == 0
    text = stdout.getvalue()
    assert "labels used as given (no noise injected)" in text
    assert "1 categorical columns), target 'species', 2 classes" in text
    table = [line for line in text.splitlines() if line.startswith("| logistic_regression")
             or line.startswith("| random_forest")]
    assert len(table) == 2 and all(" ± " in line for line in table)
    assert "**(chosen)**" in text and "**Choice: " in text
    assert "Runner-up: " in text and "standard errors" in text
    assert (out / "choose-pets.md").read_text() + "\n" == text  # the file holds what was printed
    assert (out / "choose-pets.png").stat().st_size > 0


def test_choose_refuses_an_unknown_candidate_before_any_work(tmp_path, capsys):
    path = tmp_path / "pets.csv"
    _user_frame().to_csv(path, index=False)
    with pytest.raises(SystemExit) as exc:
        cli.main(["choose", "--data", str(path), "--target", "species", "--candidates", "svm"])
    assert exc.value.code == 2
    assert "--candidates: unknown 'svm'; valid candidates: random_forest" in capsys.readouterr().err


def test_choose_sureness_pairs_the_folds():
    from benchmarks import choose
    from benchmarks.choose import sureness

    assert doctest.testmod(choose).failed == 0

    gap, se, verdict = sureness([0.9, 0.9, 0.9], [0.8, 0.8, 0.8])
    assert (round(gap, 6), verdict) == (0.1, "clear: the same gap in every fold")
    assert sureness([0.91, 0.80, 0.85], [0.90, 0.81, 0.83])[2].startswith("a toss-up")


def test_quick_noise_estimate_benchmark_measures_skrobust_beside_cleanlab(tmp_path):
    # issue 34: the estimate's own benchmark, on its one quick cell (iris, 20% symmetric, seed 100)
    from benchmarks import bench_noise_estimate as bench

    table = bench.estimate(True, n_jobs=1)
    assert len(table) == 1 and table["error"].tolist() == [""]
    row = table.iloc[0]
    assert row["true_rate"] == pytest.approx(0.2, abs=0.01)  # make_noisy_labels changes exactly 20%
    assert row["low"] <= row["rate"] <= row["high"]
    assert abs(row["rate"] - row["true_rate"]) < 0.1 and abs(row["cleanlab_rate"] - row["true_rate"]) < 0.1
    assert 0 <= row["T_error"] < 0.2 and 0 <= row["cleanlab_T_error"] < 0.2
    text = bench.estimate_markdown(table)
    assert "| iris | symmetric 20% | 0.200 |" in text
    assert "skrobust: rate within ±0.05" in text and "cleanlab estimate_joint: rate within ±0.05" in text
    bench.main(["--quick", "--parts", "estimate", "--output", str(tmp_path)])
    assert "| iris | symmetric 20% |" in (tmp_path / bench.RESULT_FILE).read_text()


def test_noise_estimate_benchmark_corrects_accuracy_exactly_with_the_realised_matrix():
    from benchmarks.bench_noise_estimate import _corrected, realised_matrix

    y = np.repeat([0, 1, 2], 100)
    y_noisy = np.where(np.arange(300) % 5 == 0, (y + 1) % 3, y)  # 20% of each class to the next
    truth = realised_matrix(y, y_noisy, 3)
    assert truth[0].tolist() == [0.8, 0.2, 0.0]
    assert _corrected(y_noisy, y, truth, 3) == pytest.approx(1.0)  # a perfect model, corrected


def test_noise_estimate_benchmark_rejects_an_unknown_part_before_any_work(capsys):
    from benchmarks.bench_noise_estimate import main

    with pytest.raises(SystemExit) as exc:
        main(["--parts", "estimate,costs", "--output", ""])
    assert exc.value.code == 2
    assert "estimate, cost" in capsys.readouterr().err


@pytest.mark.slow
def test_scoring_benchmark_runs_a_search_as_one_job_with_one_row_per_fold_and_method():
    # a job fits the four methods on both folds of one seed; it also checks the per-fold
    # estimate is the matrix make_noise_corrected_scorer(transition_matrix="estimate") uses
    from benchmarks import bench_scoring as bench

    scores, matrices = bench.run([("iris", "symmetric", 0.2, [100])], progress=False)
    assert len(scores) == bench.N_FOLDS * 4 and len(matrices) == bench.N_FOLDS * 2
    assert scores["method"].tolist()[:4] == list(bench.methods(100))
    assert scores["fold"].tolist() == [0] * 4 + [1] * 4 and scores["clean"].dtype == float
    assert set(matrices["estimate"]) == {"T per fold", "T on all data"}
    assert (scores[["dataset", "noise_type", "noise_rate", "seed"]].drop_duplicates().to_numpy().tolist()
            == [["iris", "symmetric", 0.2, 100]])
    assert "| iris | 75 | symmetric 20% |" in bench.error_markdown(scores)
    assert len(bench.selection(scores)) == 1


@pytest.mark.slow
@pytest.mark.parametrize("name", ["imbalanced", "binary7"])
def test_relabeler_on_clean_tuning_data_with_an_id_column_is_its_plain_forest(name):
    # Issue 37's guard on the two tuning data sets where a unique-ID column made
    # the relabeler act on clean labels and fall 25 and 19 points below its forest.
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.preprocessing import OneHotEncoder

    from skrobust import CleanFirstRelabeler

    X, y = DATASETS[name].load()
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    frame["id"] = [f"row{i}" for i in range(len(y))]
    folds = StratifiedKFold(3, shuffle=True, random_state=100)

    def score(estimator):
        encode = make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["id"]), remainder=StandardScaler()
        )
        return cross_val_score(make_pipeline(encode, estimator), frame, y, cv=folds).mean()

    forest = score(RandomForestClassifier(random_state=100))
    assert score(CleanFirstRelabeler(random_state=100)) >= forest - 0.005

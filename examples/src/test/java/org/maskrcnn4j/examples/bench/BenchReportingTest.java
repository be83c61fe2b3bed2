package org.maskrcnn4j.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.io.FormulaWeights;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;

/**
 * The parts of {@code maskrcnn bench} that do not depend on timing: statistics, the table and JSON, the
 * ratios, the refusal rule for handicapped baselines, /proc parsing, the baseline's environment and the
 * deterministic workloads. Nothing here times anything.
 */
class BenchReportingTest {

    private static final String JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";

    private static EngineResult engine(String name, int threads, boolean jemalloc, Double sgemm, Double peak,
            ItemResult... items) {
        return new EngineResult(name, name + " 1.0", threads, jemalloc ? "jemalloc" : "glibc malloc", jemalloc,
                jemalloc ? JEMALLOC : "", jemalloc ? BenchRunner.MALLOC_CONF : "", "generic",
                List.of("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"), sgemm, peak, List.of(items), null,
                Map.of("runs", 3));
    }

    private static ItemResult item(String name, double... ms) {
        return ItemResult.ok(name, Stats.of(ms), "check " + name, 1000.0);
    }

    private static EngineResult ours() {
        return engine("djl", 2, true, 150.0, 1800.0, item("inference", 1500, 1600, 1700),
                item("train_step", 4000, 4400, 4800), ItemResult.failed("nms_4000", "BackendException: boom", 1800.0),
                item("roi_align_transfer", 20, 21, 22));
    }

    private static EngineResult torchvision() {
        return engine("torchvision", 2, true, 140.0, 2400.0, item("inference", 2000, 2100, 2000),
                item("train_step", 5900, 6000, 5800), ItemResult.failed("nms_4000", "RuntimeException: x", 2400.0));
    }

    @Test
    void tensorflowReportNamesTheConvolutionKernelsTheVariableSelects() {
        assertThat(BackendBench.tensorflowConvolutions("0")).startsWith("Eigen");
        assertThat(BackendBench.tensorflowConvolutions("false")).startsWith("Eigen");
        assertThat(BackendBench.tensorflowConvolutions(null)).isEqualTo("oneDNN convolutions: TF_ENABLE_ONEDNN_OPTS=unset");
        assertThat(BackendBench.tensorflowConvolutions("1")).isEqualTo("oneDNN convolutions: TF_ENABLE_ONEDNN_OPTS=1");
    }

    // ------------------------------------------------------------------ statistics

    @Test
    void statsAreMedianMinMaxOfTheRuns() {
        Stats odd = Stats.of(5, 1, 3);
        assertThat(odd.medianMs()).isEqualTo(3);
        assertThat(odd.minMs()).isEqualTo(1);
        assertThat(odd.maxMs()).isEqualTo(5);
        assertThat(odd.runsMs()).containsExactly(5.0, 1.0, 3.0);
        assertThat(Stats.of(4, 1, 3, 2).medianMs()).isEqualTo(2.5);
        assertThatThrownBy(() -> Stats.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ ratios and the refusal rule

    @Test
    void ratiosAreOursOverTorchvisionForItemsBothRan() {
        Map<String, Double> r = Comparison.ratios(ours(), torchvision());
        assertThat(r).containsOnlyKeys("inference", "train_step", Comparison.PEAK_RSS);
        assertThat(r.get("inference")).isCloseTo(1600.0 / 2000.0, within(1e-12));
        assertThat(r.get("train_step")).isCloseTo(4400.0 / 5900.0, within(1e-12));
        assertThat(r.get(Comparison.PEAK_RSS)).isCloseTo(1800.0 / 2400.0, within(1e-12));
        assertThat(List.copyOf(r.keySet())).containsExactly("inference", "train_step", Comparison.PEAK_RSS);
    }

    @Test
    void peakMemoryIsOnlyComparedOverTheSameItems() {
        EngineResult fewer = engine("torchvision", 2, true, 140.0, 900.0, item("inference", 2000));
        assertThat(Comparison.ratios(ours(), fewer)).containsOnlyKeys("inference");
        EngineResult nmsRan = engine("torchvision", 2, true, 140.0, 900.0, item("inference", 2000),
                item("train_step", 6000), item("nms_4000", 3));
        assertThat(Comparison.ratios(ours(), nmsRan)).containsOnlyKeys("inference", "train_step");
    }

    @Test
    void aBaselineAtItsBestGetsRatios() {
        Comparison c = Comparison.of(List.of(ours()), torchvision());
        assertThat(c.refused()).isFalse();
        assertThat(c.refusals()).isEmpty();
        assertThat(c.ratios()).containsOnlyKeys("djl");
        assertThat(c.ratios().get("djl").get("inference")).isCloseTo(0.8, within(1e-12));
        assertThat(c.notes()).isEmpty();
    }

    @Test
    void refusesABaselineWithoutJemalloc() {
        EngineResult tv = engine("torchvision", 2, false, 140.0, 2400.0, item("inference", 2000));
        Comparison c = Comparison.of(List.of(ours()), tv);
        assertThat(c.refused()).isTrue();
        assertThat(c.ratios()).isEmpty();
        assertThat(c.refusals()).singleElement().asString().contains("glibc malloc", "not jemalloc",
                "LD_PRELOAD=unset");
    }

    @Test
    void refusesAReferenceBlasByItsMeasuredSgemm() {
        // Debian's reference BLAS measured 3.2-4.3 GFLOP/s on the 2-core AVX-512 VMs
        EngineResult tv = engine("torchvision", 2, true, 4.3, 2400.0, item("inference", 16600));
        List<String> why = Comparison.baselineProblems(tv, List.of(ours()));
        assertThat(why).anySatisfy(s -> assertThat(s).contains("4.3 GFLOP/s", "below 20 GFLOP/s",
                "10 per thread x 2 threads", "libopenblas0-pthread"));
        assertThat(Comparison.of(List.of(ours()), tv).ratios()).isEmpty();
    }

    @Test
    void theSgemmFloorScalesWithThreads() {
        EngineResult one = engine("djl", 1, true, 15.0, 1.0, item("inference", 1));
        EngineResult tv1 = engine("torchvision", 1, true, 15.0, 1.0, item("inference", 1));
        assertThat(Comparison.baselineProblems(tv1, List.of(one))).isEmpty();
        EngineResult four = engine("djl", 4, true, 15.0, 1.0, item("inference", 1));
        EngineResult tv4 = engine("torchvision", 4, true, 15.0, 1.0, item("inference", 1));
        assertThat(Comparison.baselineProblems(tv4, List.of(four))).singleElement().asString()
                .contains("below 40 GFLOP/s");
    }

    @Test
    void refusesABaselineWhoseSgemmIsUnderAThirdOfOurBest() {
        EngineResult tf = engine("tensorflow", 2, true, 320.0, 1500.0, item("inference", 1000));
        EngineResult tv = engine("torchvision", 2, true, 100.0, 2400.0, item("inference", 2000));
        List<String> why = Comparison.baselineProblems(tv, List.of(ours(), tf));
        assertThat(why).singleElement().asString().contains("100.0 GFLOP/s", "33%", "tensorflow's 320.0");
        EngineResult fine = engine("torchvision", 2, true, 110.0, 2400.0, item("inference", 2000));
        assertThat(Comparison.baselineProblems(fine, List.of(ours(), tf))).isEmpty();
        // a backend that failed altogether does not set the bar
        EngineResult broken = EngineResult.failed("tensorflow", "not available");
        assertThat(Comparison.baselineProblems(tv, List.of(ours(), broken))).isEmpty();
    }

    @Test
    void refusesDifferentThreadCounts() {
        EngineResult tv = engine("torchvision", 1, true, 140.0, 2400.0, item("inference", 2000));
        assertThat(Comparison.baselineProblems(tv, List.of(ours()))).singleElement().asString()
                .contains("baseline ran on 1 threads, djl on 2");
    }

    @Test
    void refusesAMissingOrFailedBaseline() {
        assertThat(Comparison.of(List.of(ours()), null).refusals()).containsExactly(
                "the torchvision baseline did not run");
        Comparison c = Comparison.of(List.of(ours()), EngineResult.failed("torchvision", "python3 exited with code 1"));
        assertThat(c.refusals()).singleElement().asString().contains("failed: python3 exited with code 1");
        assertThat(c.ratios()).isEmpty();
    }

    @Test
    void notesOursRunningWithoutJemallocButStillCompares() {
        EngineResult glibc = engine("djl", 2, false, 150.0, 1800.0, item("inference", 1500));
        Comparison c = Comparison.of(List.of(glibc), torchvision());
        assertThat(c.refused()).isFalse();
        assertThat(c.notes()).singleElement().asString().contains("djl ran with glibc malloc");
    }

    // ------------------------------------------------------------------ table

    private static BenchReport report(EngineResult baseline, Comparison c) {
        return new BenchReport(Map.of("cpu", "AMD EPYC (avx512f)", "cores", 2, "os", "Linux", "java", "17"),
                Map.of("runs", 3, "warmup", 1, "image", "input.png", "weights", "formula (fixtures, phase 0)"),
                List.of(ours(), EngineResult.failed("tensorflow", "not available: no libtensorflow")), baseline,
                baseline == null ? null : "measured in this run", c);
    }

    @Test
    void tableShowsEnvironmentItemsAndFailures() {
        String t = BenchTable.format(report(null, null));
        assertThat(t).contains("maskrcnn bench: AMD EPYC (avx512f), 2 cores, Linux, Java 17")
                .contains("3 timed runs after 1 warm-up; image input.png; weights formula (fixtures, phase 0)")
                .contains("tensorflow   FAILED: not available: no libtensorflow")
                .contains("jemalloc (LD_PRELOAD=" + JEMALLOC + ", MALLOC_CONF=" + BenchRunner.MALLOC_CONF + ")")
                .contains("openblas-pthread/libblas.so.3")
                .doesNotContain("RATIOS");
        assertThat(t.lines().filter(l -> l.startsWith("inference ")).toList()).singleElement().asString()
                .matches("inference\\s+djl\\s+1600\\.0\\s+1500\\.0\\s+1700\\.0\\s+1000\\s+check inference");
        assertThat(t).containsPattern("nms_4000\\s+djl\\s+FAILED: BackendException: boom");
        assertThat(t).containsPattern("ENGINE\\s+THREADS\\s+SGEMM GFLOP/s\\s+PEAK RSS MB\\s+ALLOCATOR");
        assertThat(t).containsPattern("djl\\s+2\\s+150\\.0\\s+1800\\s+jemalloc");
    }

    @Test
    void tableListsTheBaselineNextToOursAndTheRatios() {
        EngineResult tv = torchvision();
        String t = BenchTable.format(report(tv, Comparison.of(List.of(ours()), tv)));
        assertThat(t).containsPattern("inference\\s+djl\\s+1600\\.0")
                .containsPattern("inference\\s+torchvision\\s+2000\\.0")
                .contains("baseline: measured in this run")
                .contains("RATIOS ours / torchvision");
        assertThat(t).containsPattern("(?m)^inference\\s+0\\.80x$")
                .containsPattern("(?m)^train_step\\s+0\\.75x$")
                .containsPattern("(?m)^peak RSS\\s+0\\.75x$")
                .doesNotContainPattern("(?m)^nms_4000\\s+\\d");
        assertThat(t.indexOf("inference                  djl"))
                .isLessThan(t.indexOf("inference                  torchvision"));
    }

    @Test
    void tableSaysWhyThereAreNoRatios() {
        EngineResult tv = engine("torchvision", 2, false, 3.6, 2400.0, item("inference", 16600));
        String t = BenchTable.format(report(tv, Comparison.of(List.of(ours()), tv)));
        assertThat(t).contains("NO RATIOS: the torchvision baseline is not at its best")
                .contains("  - the baseline ran with glibc malloc, not jemalloc")
                .contains("  - the baseline's sgemm reached 3.6 GFLOP/s")
                .doesNotContain("RATIOS ours / torchvision")
                .doesNotContainPattern("\\d\\.\\d\\dx");
        assertThat(BenchTable.ratio(0.8049)).isEqualTo("0.80x");
    }

    // ------------------------------------------------------------------ JSON

    @Test
    void engineJsonRoundTrips() {
        EngineResult e = ours();
        EngineResult back = BenchJson.readEngines(BenchJson.write(BenchJson.engine(e))).get(0);
        assertThat(back).isEqualTo(e);
    }

    @Test
    void reportJsonHoldsEnginesBaselineAndComparison() {
        EngineResult tv = torchvision();
        String json = BenchJson.toJson(report(tv, Comparison.of(List.of(ours()), tv)));
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) BenchJson.parse(json);
        assertThat(root).containsKeys("machine", "settings", "engines", "baseline", "baseline_source", "comparison");
        List<EngineResult> engines = BenchJson.readEngines(json);
        assertThat(engines).extracting(EngineResult::engine).containsExactly("djl", "tensorflow");
        assertThat(engines.get(0)).isEqualTo(ours());
        assertThat(engines.get(1).error()).isEqualTo("not available: no libtensorflow");
        @SuppressWarnings("unchecked")
        Map<String, Object> cmp = (Map<String, Object>) root.get("comparison");
        assertThat(cmp.get("refused")).isEqualTo(false);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> ratios = (Map<String, Map<String, Object>>) cmp.get("ratios");
        assertThat(((Number) ratios.get("djl").get("inference")).doubleValue()).isCloseTo(0.8, within(1e-12));
        @SuppressWarnings("unchecked")
        Map<String, Object> rule = (Map<String, Object>) cmp.get("rule");
        assertThat(rule).containsEntry("jemalloc_required", true).containsEntry("min_sgemm_gflops_per_thread", 10.0);
        assertThat(BenchJson.toJson(report(null, null))).contains("\"comparison\" : null");
        assertThat(BenchJson.readBaseline(json)).isEqualTo(tv);
        assertThat(BenchJson.readBaseline(BenchJson.write(BenchJson.engine(tv)))).isEqualTo(tv);
        assertThatThrownBy(() -> BenchJson.readBaseline(BenchJson.toJson(report(null, null))))
                .hasMessageContaining("no baseline");
    }

    @Test
    void readsTheBaselineScriptsJson() {
        String py = """
                {"engine": "torchvision", "version": "torchvision 0.14.1a0 / torch 1.13.0a0", "threads": 2,
                 "python": "3.11.2", "allocator": "jemalloc", "jemalloc": true,
                 "ld_preload": "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
                 "malloc_conf": "retain:true,dirty_decay_ms:-1,muzzy_decay_ms:-1", "blas_info": "generic",
                 "blas_libs": ["/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"],
                 "torch_config": "PyTorch built with: ...",
                 "sgemm_gflops": 4.3,
                 "settings": {"runs": 1, "warmup": 0, "image": "input.png", "weights": "formula (fixtures, phase 0)",
                              "lr": 0.0001},
                 "items": [
                  {"item": "inference", "median_ms": 35748.3, "min_ms": 35748.3, "max_ms": 35748.3,
                   "runs_ms": [35748.3],
                   "check": "detections=100 top=0.1388", "peak_rss_mb": 2100.5},
                  {"item": "nms_4000", "error": "RuntimeException: boom", "peak_rss_mb": NaN}],
                 "peak_rss_mb": 2626.8}
                """;
        EngineResult tv = BenchJson.readEngines(py).get(0);
        assertThat(tv.engine()).isEqualTo("torchvision");
        assertThat(tv.threads()).isEqualTo(2);
        assertThat(tv.jemalloc()).isTrue();
        assertThat(tv.sgemmGflops()).isEqualTo(4.3);
        assertThat(tv.peakRssMb()).isEqualTo(2626.8);
        assertThat(tv.blasLibs()).containsExactly("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0");
        assertThat(tv.item("inference").stats().medianMs()).isEqualTo(35748.3);
        assertThat(tv.item("inference").check()).isEqualTo("detections=100 top=0.1388");
        assertThat(tv.item("nms_4000").succeeded()).isFalse();
        assertThat(tv.item("nms_4000").error()).isEqualTo("RuntimeException: boom");
        assertThat(tv.settings()).containsEntry("runs", 1).containsEntry("lr", 0.0001);
    }

    // ------------------------------------------------------------------ process information

    @Test
    void parsesProcStatusAndMaps() {
        String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t 2097152 kB\nVmRSS:\t 1048576 kB\n";
        assertThat(ProcessInfo.statusMb(status, "VmHWM")).isEqualTo(2048.0);
        assertThat(ProcessInfo.statusMb(status, "VmRSS")).isEqualTo(1024.0);
        assertThat(ProcessInfo.statusMb(status, "VmSwap")).isNull();
        assertThat(ProcessInfo.statusMb(null, "VmHWM")).isNull();
        String maps = """
                7f0000000000-7f0000001000 r-xp 00000000 08:01 1 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2
                7f0000001000-7f0000002000 r--p 00001000 08:01 1 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2
                7f0000002000-7f0000003000 r-xp 00000000 08:01 2 /opt/x/libtorch_cpu.so
                7f0000003000-7f0000004000 rw-p 00000000 00:00 0
                7f0000004000-7f0000005000 r-xp 00000000 08:01 3 /opt/x/libc.so.6
                7f0000005000-7f0000006000 r-xp 00000000 08:01 4 [vdso]
                """;
        List<String> libs = ProcessInfo.libraries(maps);
        assertThat(libs).containsExactly("/opt/x/libc.so.6", "/opt/x/libtorch_cpu.so",
                "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2");
        assertThat(ProcessInfo.allocator(libs)).isEqualTo("jemalloc");
        assertThat(ProcessInfo.allocator(List.of("/opt/x/libc.so.6"))).isEqualTo("glibc malloc");
        assertThat(ProcessInfo.allocator(List.of("/usr/lib/libtcmalloc_minimal.so.4"))).isEqualTo("tcmalloc");
        assertThat(ProcessInfo.nativeLibraries(libs)).containsExactly("/opt/x/libtorch_cpu.so");
    }

    @Test
    void summarisesANativeCrashFromTheJvmsErrorReport() {
        List<String> hsErr = List.of("#", "# A fatal error has been detected by the Java Runtime Environment:", "#",
                "#  SIGFPE (0x8) at pc=0x00007f6a8cc30a92, pid=19791, tid=19792", "#",
                "# JRE version: OpenJDK Runtime Environment (17.0.15+6)", "# Problematic frame:",
                "# C  [libtorch_cpu.so+0x11630a92]  dnnl::impl::cpu::x64::brgemm_convolution_bwd_utils::"
                        + "brg_blocking_t::est_eff_1x1()+0xae2", "#");
        assertThat(BenchRunner.crashSummary(hsErr)).isEqualTo("SIGFPE in [libtorch_cpu.so+0x11630a92]  dnnl::impl::"
                + "cpu::x64::brgemm_convolution_bwd_utils::brg_blocking_t::est_eff_1x1()+0xae2");
        assertThat(BenchRunner.crashSummary(List.of("something else"))).isEqualTo("fatal error");
    }

    // ------------------------------------------------------------------ the baseline's environment

    @Test
    void baselineRunsUnderJemallocWithOpenBlasUnpinned() {
        Map<String, String> env = new HashMap<>(Map.of("OPENBLAS_CORETYPE", "Haswell", "OPENBLAS_L2_SIZE", "512",
                "PATH", "/usr/bin"));
        Map<String, String> set = BenchRunner.baselineEnvironment(env, Path.of(JEMALLOC));
        assertThat(env).doesNotContainKeys("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
                .containsEntry("LD_PRELOAD", JEMALLOC)
                .containsEntry("MALLOC_CONF", "retain:true,dirty_decay_ms:-1,muzzy_decay_ms:-1,narenas:1,oversize_threshold:0")
                .containsEntry("PATH", "/usr/bin");
        assertThat(set).containsOnlyKeys("LD_PRELOAD", "MALLOC_CONF");

        Map<String, String> preloaded = new HashMap<>(Map.of("LD_PRELOAD", "/x/libother.so"));
        BenchRunner.baselineEnvironment(preloaded, Path.of(JEMALLOC));
        assertThat(preloaded.get("LD_PRELOAD")).isEqualTo(JEMALLOC + ":/x/libother.so");

        Map<String, String> none = new HashMap<>(Map.of("OPENBLAS_CORETYPE", "Haswell"));
        assertThat(BenchRunner.baselineEnvironment(none, null)).isEmpty();
        assertThat(none).isEmpty();
    }

    // ------------------------------------------------------------------ settings and workloads

    @Test
    void settingsOrderAndValidateItemGroups() {
        BenchSettings s = new BenchSettings(null, 2, 1, Path.of("x.png"), null, 0, List.of("nms", "roi", "nms"),
                null, false, "python3", null, null, false, false, null);
        assertThat(s.groups()).containsExactly("roi", "nms");
        assertThat(s.items()).containsExactly("roi_align_7x7_fwd", "roi_align_7x7_fwd_bwd", "roi_align_14x14_fwd",
                "roi_align_14x14_fwd_bwd", "roi_align_transfer", "nms_4000");
        BenchSettings rest = new BenchSettings(null, 2, 1, Path.of("x.png"), null, 0, List.of("inference", "train",
                "roi", "nms"), null, false, "python3", null, null, true, true, List.of("nms_4000", "train_step"));
        assertThat(rest.items()).containsExactly("train_step", "nms_4000");
        assertThatThrownBy(() -> new BenchSettings(null, 2, 1, Path.of("x.png"), null, 0, List.of("conv"), null,
                false, "python3", null, null, false, false, null)).hasMessageContaining("unknown item group 'conv'");
        assertThatThrownBy(() -> new BenchSettings(null, 0, 1, Path.of("x.png"), null, 0, List.of("nms"), null,
                false, "python3", null, null, false, false, null)).hasMessageContaining("--runs >= 1");
    }

    @Test
    void splitmixIsTheFixturesFormula() {
        // a rank-1, non-batch-norm entry is 0.01 r(seed(name), i); seed("ab") = 1 * 'a' + 2 * 'b'
        float[] v = FormulaWeights.fixtures().value("ab", Shape.of(5)).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            assertThat(v[i]).isEqualTo((float) (0.01 * Splitmix.r('a' + 2 * 'b', i)));
        }
        assertThat(Splitmix.u01(7, 3)).isEqualTo((Splitmix.r(7, 3) + 1) / 2);
    }

    @Test
    void trainTargetIsTheFixtureImagesRectangleAndEllipse() {
        Map<String, HostTensor> t = Workloads.trainTarget(240, 320);
        assertThat(t.get("boxes").toFloatArray()).containsExactly(20f, 30f, 120f, 110f, 170f, 30f, 290f, 110f);
        assertThat(t.get("labels").toLongArray()).containsExactly(1L, 2L);
        assertThat(t.get("masks").shape().dims()).containsExactly(2, 240, 320);
        long rect = 0;
        long ellipse = 0;
        for (long i = 0; i < 240 * 320; i++) {
            rect += t.get("masks").getLong(i);
            ellipse += t.get("masks").getLong(240 * 320 + i);
        }
        assertThat(rect).isEqualTo(100 * 80);
        assertThat((double) ellipse).isCloseTo(Math.PI * 60 * 40, within(0.02 * Math.PI * 60 * 40));
    }

    @Test
    void roiAndNmsInputsHaveTheBenchmarkShapes() {
        HostTensor rois = Workloads.roiBoxes();
        assertThat(rois.shape().dims()).containsExactly(512, 5);
        float[] r = rois.toFloatArray();
        for (int k = 0; k < 512; k++) {
            assertThat(r[k * 5]).isZero();
            assertThat(r[k * 5 + 3] - r[k * 5 + 1]).isBetween(16f, 316f);
            assertThat(r[k * 5 + 4] - r[k * 5 + 2]).isBetween(16f, 316f);
        }
        assertThat(r[1]).isEqualTo((float) (Splitmix.u01(11, 0) * 1100.0));
        assertThat(Workloads.nmsBoxes().shape().dims()).containsExactly(4000, 4);
        assertThat(Workloads.nmsScores().shape().dims()).containsExactly(4000);
    }
}

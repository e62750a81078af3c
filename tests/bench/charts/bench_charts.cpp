// Benchmarks of the charts and metrics libraries, each against a peer
// measured in the same run:
//  1. A 1 M-point time series: zoom, re-decimate off the GUI thread, replace
//     the line series and repaint — against a plain QLineSeries holding all
//     1 M points (what Qt Charts does without decimation). Target: < 50 ms
//     per zoom (median). Also the resident memory each needs.
//  2. The exposition parser's MB/s on a 50 MB Prometheus text exposition —
//     against Prometheus's own promtool (`promtool check metrics`, Go's
//     expfmt parser plus its lint pass) on the same file, in 3 interleaved
//     rounds: medians, every round and the spread are printed, never the best of N.
// Exit status 1 when the 50 ms target is missed or a peer cannot run.
#include "../BenchRounds.h"
#include "TimeSeriesChart.h"

#include "metrics/Exposition.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace fb::charts;

namespace {
double rssMiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    return 0;
}

QList<QPointF> signal(qsizetype n)
{
    QList<QPointF> pts;
    pts.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        const double x = double(i) / 1000.0;
        pts.append(QPointF(x, 50 + 20 * std::sin(x / 40.0) + 5 * std::sin(x * 3.1) + double((i * 7919) % 97) / 20.0));
    }
    return pts;
}

// Runs the event loop until the chart has put in its decimation. (Not
// QTest::qWaitFor: it sleeps 10 ms between polls, which would be measured.)
void waitDecimated(TimeSeriesChart *chart)
{
    if (!chart->isDecimationPending())
        return;
    QEventLoop loop;
    QObject::connect(chart, &TimeSeriesChart::decimated, &loop, &QEventLoop::quit);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    loop.exec();
}

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v[v.size() / 2];
}

QByteArray exposition(qsizetype bytes)
{
    // Shaped like a large exporter: counters and histograms with several
    // labels, HELP/TYPE per family, some escapes, every series unique.
    QByteArray out;
    out.reserve(bytes + 4096);
    int family = 0;
    while (out.size() < bytes) {
        const QByteArray name = "bench_requests_" + QByteArray::number(family);
        out += "# HELP " + name + "_total Requests by path and code, C:\\\\dir and a\\nnewline.\n";
        out += "# TYPE " + name + "_total counter\n";
        for (int i = 0; i < 200; ++i)
            out += name + "_total{instance=\"node-" + QByteArray::number(i % 17) + ":9100\",path=\"/api/v1/items/"
                   + QByteArray::number(i) + "\",code=\"" + QByteArray::number(200 + i % 5) + "\"} "
                   + QByteArray::number(1.0e6 * i + family, 'g', 12) + " 1700000000" + QByteArray::number(i % 1000) + "\n";
        const QByteArray h = "bench_latency_seconds_" + QByteArray::number(family);
        out += "# HELP " + h + " Latency.\n# TYPE " + h + " histogram\n";
        for (int s = 0; s < 10; ++s) {
            const QByteArray lbl = "service=\"svc-" + QByteArray::number(s) + "\"";
            int cum = 0;
            for (const char *le : {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"}) {
                cum += 7 + s;
                out += h + "_bucket{" + lbl + ",le=\"" + le + "\"} " + QByteArray::number(cum) + "\n";
            }
            out += h + "_sum{" + lbl + "} 12.5\n" + h + "_count{" + lbl + "} " + QByteArray::number(cum) + "\n";
        }
        ++family;
    }
    return out;
}
} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    bool ok = true;
    constexpr qsizetype kPoints = 1'000'000;

    // ---- 1. Zoom + re-decimate + redraw, 1 M points
    const double rss0 = rssMiB();
    auto *fbChart = new TimeSeriesChart;
    fbChart->resize(1200, 500);
    fbChart->show();
    if (!QTest::qWaitForWindowExposed(fbChart))
        qFatal("window not exposed");
    const int s = fbChart->addSeries(QStringLiteral("1M"));
    fbChart->setSeriesData(s, signal(kPoints));
    waitDecimated(fbChart);
    fbChart->chartView()->viewport()->repaint();
    const double rssFb = rssMiB() - rss0;

    QList<double> zoomMs;
    QElapsedTimer t;
    for (int i = 0; i < 30; ++i) {
        // Alternate narrow and wide ranges; each one is a new decimation.
        const double width = (i % 3 == 0) ? 900.0 : (i % 3 == 1) ? 50.0 : 300.0;
        const double x0 = std::fmod(37.0 * i, 1000.0 - width);
        t.start();
        fbChart->zoomToX(x0, x0 + width);
        waitDecimated(fbChart);
        fbChart->chartView()->viewport()->repaint(); // synchronous paint
        zoomMs << double(t.nsecsElapsed()) / 1e6;
    }
    const double fbMedian = median(zoomMs);
    const double fbMax = *std::max_element(zoomMs.cbegin(), zoomMs.cend());
    const int shown = int(fbChart->lineSeries(s)->count());
    delete fbChart;

    // Peer: Qt Charts on its own, all points in one QLineSeries.
    const double rss1 = rssMiB();
    auto *view = new QChartView;
    view->resize(1200, 500);
    auto *chart = view->chart();
    auto *line = new QLineSeries;
    line->replace(signal(kPoints));
    chart->addSeries(line);
    auto *ax = new QValueAxis;
    auto *ay = new QValueAxis;
    chart->addAxis(ax, Qt::AlignBottom);
    chart->addAxis(ay, Qt::AlignLeft);
    line->attachAxis(ax);
    line->attachAxis(ay);
    ay->setRange(0, 100);
    ax->setRange(0, 1000);
    view->show();
    if (!QTest::qWaitForWindowExposed(view))
        qFatal("window not exposed");
    view->viewport()->repaint();
    const double rssQt = rssMiB() - rss1;
    QList<double> qtMs;
    for (int i = 0; i < 4; ++i) {
        const double width = (i % 2 == 0) ? 900.0 : 300.0;
        const double x0 = std::fmod(37.0 * i, 1000.0 - width);
        t.start();
        ax->setRange(x0, x0 + width);
        view->viewport()->repaint();
        qtMs << double(t.nsecsElapsed()) / 1e6;
    }
    const double qtMedian = median(qtMs);
    delete view;

    std::printf("chart zoom+redraw, %lld points, 1200x500 px:\n", static_cast<long long>(kPoints));
    std::printf("  FactoryBench TimeSeriesChart: median %.1f ms, max %.1f ms over %lld zooms (%d points drawn), RSS +%.0f MiB\n",
                fbMedian, fbMax, static_cast<long long>(zoomMs.size()), shown, rssFb);
    std::printf("  plain QLineSeries (peer):     median %.1f ms over %lld zooms, RSS +%.0f MiB\n", qtMedian,
                static_cast<long long>(qtMs.size()), rssQt);
    std::printf("  ratio peer/FactoryBench: %.1fx faster; target < 50 ms: %s\n", qtMedian / fbMedian,
                fbMedian < 50 ? "met" : "MISSED");
    ok = ok && fbMedian < 50;

    // ---- 2. Exposition parser MB/s on 50 MB
    const QByteArray text = exposition(50 * 1024 * 1024);
    const double mb = double(text.size()) / (1024.0 * 1024.0);
    // Interleaved rounds (FactoryBench, promtool, FactoryBench, ...), MiB/s
    // each; the medians are compared (tests/bench/BenchRounds.h), never the best of N.
    constexpr int kRounds = 3;
    fbbench::Rounds ours(QStringLiteral("FactoryBench parseExposition")),
        theirs(QStringLiteral("promtool check metrics (peer, parse + lint)"));
    int samples = 0, errors = 0;
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    const QString path = QStringLiteral(FB_BINARY_DIR "/bench-exposition-50mb.prom");
    if (!promtool.isEmpty()) {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
            qFatal("cannot write %s", qPrintable(path));
    }
    bool peerOk = !promtool.isEmpty();
    for (int round = 0; round < kRounds; ++round) {
        t.start();
        const fb::metrics::Exposition e = fb::metrics::parseExposition(text);
        ours.add(mb / (double(t.nsecsElapsed()) / 1e9));
        samples = e.sampleCount();
        errors = int(e.errors.size());
        if (!peerOk)
            continue;
        QProcess p;
        p.setStandardInputFile(path);
        p.setStandardOutputFile(QProcess::nullDevice());
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel); // its lint findings or parse error, if any
        t.start();
        p.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
        p.waitForFinished(120000);
        const double secs = double(t.nsecsElapsed()) / 1e9;
        if (p.exitStatus() != QProcess::NormalExit || p.exitCode() == 1) // 1: could not parse
            peerOk = false;
        else
            theirs.add(mb / secs);
    }
    QFile::remove(path);
    std::printf("exposition parser, %.1f MiB, %d samples, %d errors, %d interleaved rounds:\n", mb, samples, errors,
                kRounds);
    std::printf("  %s\n", qPrintable(ours.summary(1, QStringLiteral("MiB/s"), 0)));
    ok = ok && errors == 0;
    if (promtool.isEmpty()) {
        std::printf("  promtool (peer): not installed\n");
        ok = false;
    } else if (!peerOk) {
        std::printf("  promtool (peer): crashed, timed out or could not parse the file\n");
        ok = false;
    } else {
        std::printf("  %s\n", qPrintable(theirs.summary(1, QStringLiteral("MiB/s"), 0)));
        std::printf("  ratio of medians FactoryBench/promtool: %.1fx\n", ours.median() / theirs.median());
    }
    return ok ? 0 : 1;
}

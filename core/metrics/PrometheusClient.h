// PrometheusClient: the Prometheus HTTP API (/api/v1/query, query_range,
// series, labels) over Qt Network, for live charts during a run. The base URL
// is whatever reaches Prometheus: usually http://127.0.0.1:<port> of an SSH
// tunnel's local end, possibly with a path prefix (--web.route-prefix).
//
// Every call is asynchronous and returns a QFuture that finishes with a
// PrometheusResponse; nothing blocks. Errors from Prometheus are kept exactly
// as it sent them (errorType + error), so the user sees Prometheus's own words
// ("1:5: parse error: unclosed left parenthesis"), not a paraphrase.
//
// Owned by the dashboard or session that polls; lives in the GUI thread (QNAM
// is thread-affine). Destroying the client aborts outstanding requests and
// cancels their futures.
#pragma once

#include <QDateTime>
#include <QFuture>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointF>
#include <QStringList>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QUrlQuery;

namespace fb::metrics {

struct PrometheusSeries
{
    QMap<QString, QString> labels; // includes __name__ when Prometheus returns it
    QList<QPointF> points;         // x: Unix time in seconds, y: value (NaN kept)
};

struct PrometheusResponse
{
    bool ok = false;
    int httpStatus = 0;        // 0 when no HTTP response arrived
    QString errorType;         // Prometheus's errorType, or network / http / json
    QString error;             // Prometheus's error text, verbatim
    QStringList warnings;      // Prometheus's warnings, verbatim
    QString resultType;        // vector, matrix, scalar, string (query calls)
    QList<PrometheusSeries> series; // vector (one point each), matrix, scalar (one unlabelled)
    QStringList values;        // labels(), labelValues()
    QList<QMap<QString, QString>> labelSets; // series()
    double stepSeconds = 0;    // the step used by queryRange*

    // "bad_data: invalid parameter "query": 1:5: parse error: ..." — for the UI.
    QString errorText() const;
};

class PrometheusClient : public QObject
{
    Q_OBJECT
public:
    explicit PrometheusClient(const QUrl &baseUrl = {}, QObject *parent = nullptr);
    ~PrometheusClient() override;

    QUrl baseUrl() const { return m_baseUrl; }
    void setBaseUrl(const QUrl &url) { m_baseUrl = url; } // e.g. when a tunnel is re-opened on another port
    void setTimeout(int milliseconds) { m_timeoutMs = milliseconds; }

    QFuture<PrometheusResponse> query(const QString &promql, const std::optional<QDateTime> &at = std::nullopt);
    QFuture<PrometheusResponse> queryRange(const QString &promql, const QDateTime &start, const QDateTime &end,
                                           double stepSeconds);
    // query_range with the step chosen so the plot gets about one point per pixel.
    QFuture<PrometheusResponse> queryRangeForWidth(const QString &promql, const QDateTime &start,
                                                   const QDateTime &end, int pixelWidth,
                                                   double minStepSeconds = 1.0);
    QFuture<PrometheusResponse> series(const QStringList &matchers, const std::optional<QDateTime> &start = std::nullopt,
                                       const std::optional<QDateTime> &end = std::nullopt);
    QFuture<PrometheusResponse> labels();
    QFuture<PrometheusResponse> labelValues(const QString &label);

    // One point per pixel, never finer than minStep (the scrape interval makes
    // finer steps pointless), never more than Prometheus's 11,000 points per
    // series; whole seconds once the step is at least one second.
    static double stepForWidth(double rangeSeconds, int pixelWidth, double minStepSeconds = 1.0);

private:
    enum class Kind { Query, Labels, Series };
    QFuture<PrometheusResponse> post(const QString &endpoint, const QUrlQuery &form, Kind kind, double step = 0);
    QFuture<PrometheusResponse> get(const QString &endpoint, Kind kind);
    QFuture<PrometheusResponse> track(QNetworkReply *reply, Kind kind, double step);
    QUrl endpointUrl(const QString &endpoint) const;

    QUrl m_baseUrl;
    int m_timeoutMs = 30000;
    QNetworkAccessManager *m_nam;
};

} // namespace fb::metrics

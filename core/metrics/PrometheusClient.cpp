#include "metrics/PrometheusClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPromise>
#include <QUrlQuery>

#include <cmath>
#include <limits>
#include <memory>

namespace fb::metrics {

QString PrometheusResponse::errorText() const
{
    if (ok)
        return {};
    if (errorType.isEmpty())
        return error;
    return errorType + QStringLiteral(": ") + error;
}

PrometheusClient::PrometheusClient(const QUrl &baseUrl, QObject *parent)
    : QObject(parent), m_baseUrl(baseUrl), m_nam(new QNetworkAccessManager(this))
{
}

PrometheusClient::~PrometheusClient() = default;

double PrometheusClient::stepForWidth(double rangeSeconds, int pixelWidth, double minStepSeconds)
{
    constexpr double maxPoints = 11000; // Prometheus refuses more per series
    if (!(rangeSeconds > 0))
        return std::max(minStepSeconds, 1e-3);
    const double width = std::max(1, pixelWidth);
    double step = rangeSeconds / width;
    step = std::max(step, rangeSeconds / maxPoints);
    step = std::max(step, minStepSeconds);
    if (step >= 1.0)
        step = std::ceil(step);
    return step;
}

namespace {
QString unixSeconds(const QDateTime &t)
{
    return QString::number(double(t.toMSecsSinceEpoch()) / 1000.0, 'f', 3);
}

double jsonNumber(const QJsonValue &v)
{
    // Prometheus sends sample values as strings: "1", "NaN", "+Inf".
    if (v.isDouble())
        return v.toDouble();
    const QString s = v.toString();
    if (s == QLatin1String("+Inf"))
        return std::numeric_limits<double>::infinity();
    if (s == QLatin1String("-Inf"))
        return -std::numeric_limits<double>::infinity();
    if (s == QLatin1String("NaN"))
        return std::numeric_limits<double>::quiet_NaN();
    bool ok = false;
    const double d = s.toDouble(&ok);
    return ok ? d : std::numeric_limits<double>::quiet_NaN();
}

QPointF samplePoint(const QJsonValue &v)
{
    const QJsonArray a = v.toArray();
    return QPointF(a.at(0).toDouble(), jsonNumber(a.at(1)));
}

QMap<QString, QString> labelMap(const QJsonObject &o)
{
    QMap<QString, QString> m;
    for (auto it = o.begin(); it != o.end(); ++it)
        m.insert(it.key(), it.value().toString());
    return m;
}
} // namespace

QUrl PrometheusClient::endpointUrl(const QString &endpoint) const
{
    QUrl url = m_baseUrl;
    QString path = url.path();
    if (!path.endsWith(QLatin1Char('/')))
        path += QLatin1Char('/');
    url.setPath(path + QStringLiteral("api/v1/") + endpoint);
    return url;
}

QFuture<PrometheusResponse> PrometheusClient::query(const QString &promql, const std::optional<QDateTime> &at)
{
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("query"), promql);
    if (at)
        form.addQueryItem(QStringLiteral("time"), unixSeconds(*at));
    return post(QStringLiteral("query"), form, Kind::Query);
}

QFuture<PrometheusResponse> PrometheusClient::queryRange(const QString &promql, const QDateTime &start,
                                                         const QDateTime &end, double stepSeconds)
{
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("query"), promql);
    form.addQueryItem(QStringLiteral("start"), unixSeconds(start));
    form.addQueryItem(QStringLiteral("end"), unixSeconds(end));
    form.addQueryItem(QStringLiteral("step"), QString::number(stepSeconds, 'g', 12));
    return post(QStringLiteral("query_range"), form, Kind::Query, stepSeconds);
}

QFuture<PrometheusResponse> PrometheusClient::queryRangeForWidth(const QString &promql, const QDateTime &start,
                                                                 const QDateTime &end, int pixelWidth,
                                                                 double minStepSeconds)
{
    const double range = double(start.msecsTo(end)) / 1000.0;
    return queryRange(promql, start, end, stepForWidth(range, pixelWidth, minStepSeconds));
}

QFuture<PrometheusResponse> PrometheusClient::series(const QStringList &matchers, const std::optional<QDateTime> &start,
                                                     const std::optional<QDateTime> &end)
{
    QUrlQuery form;
    for (const QString &m : matchers)
        form.addQueryItem(QStringLiteral("match[]"), m);
    if (start)
        form.addQueryItem(QStringLiteral("start"), unixSeconds(*start));
    if (end)
        form.addQueryItem(QStringLiteral("end"), unixSeconds(*end));
    return post(QStringLiteral("series"), form, Kind::Series);
}

QFuture<PrometheusResponse> PrometheusClient::labels()
{
    return get(QStringLiteral("labels"), Kind::Labels);
}

QFuture<PrometheusResponse> PrometheusClient::labelValues(const QString &label)
{
    return get(QStringLiteral("label/") + QString::fromLatin1(QUrl::toPercentEncoding(label)) + QStringLiteral("/values"),
               Kind::Labels);
}

QFuture<PrometheusResponse> PrometheusClient::post(const QString &endpoint, const QUrlQuery &form, Kind kind, double step)
{
    // POST keeps long PromQL out of URL length limits (Prometheus accepts
    // form-encoded POST on all of these endpoints).
    QNetworkRequest req(endpointUrl(endpoint));
    req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-www-form-urlencoded"));
    req.setTransferTimeout(m_timeoutMs);
    // QUrlQuery leaves '+' alone, which a form decoder reads as a space.
    QByteArray body = form.toString(QUrl::FullyEncoded).toUtf8();
    body.replace('+', "%2B");
    return track(m_nam->post(req, body), kind, step);
}

QFuture<PrometheusResponse> PrometheusClient::get(const QString &endpoint, Kind kind)
{
    QNetworkRequest req(endpointUrl(endpoint));
    req.setTransferTimeout(m_timeoutMs);
    return track(m_nam->get(req), kind, 0);
}

QFuture<PrometheusResponse> PrometheusClient::track(QNetworkReply *reply, Kind kind, double step)
{
    auto promise = std::make_shared<QPromise<PrometheusResponse>>();
    promise->start();
    QFuture<PrometheusResponse> future = promise->future();
    connect(reply, &QNetworkReply::finished, this, [reply, promise, kind, step] {
        reply->deleteLater();
        PrometheusResponse r;
        r.stepSeconds = step;
        r.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        QJsonParseError perr{};
        const QJsonDocument doc = QJsonDocument::fromJson(body, &perr);
        const QJsonObject o = doc.object();
        if (perr.error != QJsonParseError::NoError || !o.contains(QLatin1String("status"))) {
            // Not Prometheus talking: a dead tunnel, a proxy page, a timeout.
            if (reply->error() != QNetworkReply::NoError && r.httpStatus == 0) {
                r.errorType = QStringLiteral("network");
                r.error = reply->errorString();
            } else if (r.httpStatus >= 300 || reply->error() != QNetworkReply::NoError) {
                r.errorType = QStringLiteral("http");
                r.error = QStringLiteral("HTTP %1 from %2: %3")
                              .arg(r.httpStatus)
                              .arg(reply->url().toString(QUrl::RemoveQuery | QUrl::RemoveUserInfo),
                                   QString::fromUtf8(body.left(300)).trimmed());
            } else {
                r.errorType = QStringLiteral("json");
                r.error = QStringLiteral("response is not Prometheus API JSON: %1").arg(perr.errorString());
            }
            promise->addResult(r);
            promise->finish();
            return;
        }
        for (const QJsonValue &w : o.value(QLatin1String("warnings")).toArray())
            r.warnings << w.toString();
        if (o.value(QLatin1String("status")).toString() != QLatin1String("success")) {
            r.errorType = o.value(QLatin1String("errorType")).toString();
            r.error = o.value(QLatin1String("error")).toString();
            promise->addResult(r);
            promise->finish();
            return;
        }
        r.ok = true;
        const QJsonValue data = o.value(QLatin1String("data"));
        switch (kind) {
        case Kind::Labels:
            for (const QJsonValue &v : data.toArray())
                r.values << v.toString();
            break;
        case Kind::Series:
            for (const QJsonValue &v : data.toArray())
                r.labelSets << labelMap(v.toObject());
            break;
        case Kind::Query: {
            const QJsonObject d = data.toObject();
            r.resultType = d.value(QLatin1String("resultType")).toString();
            const QJsonValue result = d.value(QLatin1String("result"));
            if (r.resultType == QLatin1String("scalar") || r.resultType == QLatin1String("string")) {
                PrometheusSeries s;
                s.points << samplePoint(result);
                r.series << s;
                if (r.resultType == QLatin1String("string"))
                    r.values << result.toArray().at(1).toString();
                break;
            }
            for (const QJsonValue &v : result.toArray()) {
                const QJsonObject so = v.toObject();
                PrometheusSeries s;
                s.labels = labelMap(so.value(QLatin1String("metric")).toObject());
                if (so.contains(QLatin1String("value")))
                    s.points << samplePoint(so.value(QLatin1String("value")));
                const QJsonArray values = so.value(QLatin1String("values")).toArray();
                s.points.reserve(values.size());
                for (const QJsonValue &p : values)
                    s.points << samplePoint(p);
                r.series << s;
            }
            break;
        }
        }
        promise->addResult(r);
        promise->finish();
    });
    return future;
}

} // namespace fb::metrics

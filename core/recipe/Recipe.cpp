#include "recipe/Recipe.h"

#include <QRegularExpression>

namespace fb::recipe {

Resources Resources::mergedWith(const Resources &over) const
{
    Resources r = *this;
    auto str = [](QString &dst, const QString &src) { if (!src.isEmpty()) dst = src; };
    auto num = [](int &dst, int src) { if (src > 0) dst = src; };
    str(r.account, over.account);
    str(r.partition, over.partition);
    str(r.qos, over.qos);
    if (over.time) r.time = over.time;
    num(r.nodes, over.nodes);
    num(r.ntasks, over.ntasks);
    num(r.cpusPerTask, over.cpusPerTask);
    if (over.memory) r.memory = over.memory;
    // GPUs are asked for one way or the other: the override's way wins.
    if (!over.gres.isEmpty() || over.gpusPerNode > 0) {
        r.gres = over.gres;
        r.gpusPerNode = over.gpusPerNode;
    }
    if (over.exclusive) r.exclusive = over.exclusive;
    str(r.reservation, over.reservation);
    str(r.constraint, over.constraint);
    return r;
}

int Resources::gpuCount() const
{
    if (gpusPerNode > 0)
        return gpusPerNode;
    static const QRegularExpression re(QStringLiteral("(?:^|,)gpu(?::[^:,]+)?:(\\d+)"));
    const auto m = re.match(gres);
    if (m.hasMatch())
        return m.captured(1).toInt();
    return gres.startsWith(QLatin1String("gpu")) ? 1 : 0;
}

int Service::portNumber(const QString &portName) const
{
    if (ports.isEmpty())
        return 0;
    if (portName.isEmpty())
        return ports.first().number;
    for (const Port &p : ports)
        if (p.name == portName)
            return p.number;
    return 0;
}

const Service *Recipe::findService(const QString &name) const
{
    for (const Service &s : services)
        if (s.name == name)
            return &s;
    return nullptr;
}

SourcePosition Recipe::positionOf(const QString &path) const
{
    QString p = path;
    while (true) {
        const auto it = positions.constFind(p);
        if (it != positions.constEnd())
            return *it;
        if (p.isEmpty())
            return {};
        const qsizetype dot = p.lastIndexOf(QLatin1Char('.'));
        const qsizetype bracket = p.lastIndexOf(QLatin1Char('['));
        const qsizetype cut = std::max(dot, bracket);
        p = cut < 0 ? QString() : p.left(cut);
    }
}

QStringList serviceKinds()
{
    return {QStringLiteral("ollama"), QStringLiteral("vllm"), QStringLiteral("vllm-ray"), QStringLiteral("triton"),
            QStringLiteral("chroma"), QStringLiteral("weaviate"), QStringLiteral("redis"), QStringLiteral("postgres"),
            QStringLiteral("mysql"), QStringLiteral("minio"), QStringLiteral("prometheus"),
            QStringLiteral("node-exporter"), QStringLiteral("pushgateway"), QStringLiteral("generic")};
}

QStringList workloadKinds()
{
    return {QStringLiteral("llm"), QStringLiteral("redis"), QStringLiteral("http"), QStringLiteral("postgres"),
            QStringLiteral("mysql"), QStringLiteral("s3"), QStringLiteral("file"), QStringLiteral("vector"),
            QStringLiteral("faiss")};
}

QStringList loadModels()
{
    return {QStringLiteral("closed"), QStringLiteral("constant"), QStringLiteral("poisson"), QStringLiteral("gamma")};
}

} // namespace fb::recipe

#include "CampaignRunner.h"

#include "common/Paths.h"
#include "ClusterTransport.h"

#include <QMutexLocker>
#include <QThread>

namespace fb::session {

CampaignRunner::CampaignRunner(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<fb::session::CampaignEvent>();
    qRegisterMetaType<fb::session::CampaignResult>();
    qRegisterMetaType<fb::session::JobRecord>();
}

CampaignRunner::~CampaignRunner()
{
    if (m_thread) {
        detach();
        m_thread->wait();
        delete m_thread;
    }
}

bool CampaignRunner::start(const CampaignOptions &options, const ConnectionProfile &profile, const QString &storePath,
                           SshAuthPrompter *prompter)
{
    if (m_thread)
        return false;
    m_cancelEarly = false;
    m_detachEarly = false;
    const QString path = storePath.isEmpty() ? Paths::runStorePath() : storePath;
    m_thread = QThread::create([this, options, profile, path, prompter] {
        CampaignResult result;
        RunStore store;
        QString error;
        if (!store.open(path, &error)) {
            result.state = RunState::Failed;
            result.error = error;
            QMutexLocker lock(&m_mutex);
            m_result = result;
            return;
        }
        ClusterTransport link;
        if (!link.open(profile, ClusterTransport::Kind::LibSsh, prompter, nullptr, 300000)) { // time for the user to answer
            result.state = RunState::Failed;
            result.error = link.error();
            QMutexLocker lock(&m_mutex);
            m_result = result;
            return;
        }
        Campaign campaign(link.commands(), link.files(), &store);
        // The app hears of an outage through the campaign's events ("reconnecting").
        link.setLinkObserver([&campaign](bool up, const QString &reason) { campaign.reportLink(up, reason); });
        // Signal-to-signal across threads: queued to the runner's thread.
        connect(&campaign, &Campaign::event, this, &CampaignRunner::event);
        connect(&campaign, &Campaign::trialChanged, this, &CampaignRunner::trialChanged);
        connect(&campaign, &Campaign::jobChanged, this, &CampaignRunner::jobChanged);
        connect(&campaign, &Campaign::monitorReady, this, &CampaignRunner::monitorReady);
        {
            QMutexLocker lock(&m_mutex);
            m_campaign = &campaign;
            m_commands = link.commands();
            if (m_detachEarly)
                campaign.requestDetach();
            else if (m_cancelEarly)
                campaign.requestCancel();
        }
        result = campaign.run(options);
        {
            QMutexLocker lock(&m_mutex); // cancel() never touches a campaign being destroyed
            m_campaign = nullptr;
            m_commands = nullptr;
            m_result = result;
        }
    });
    m_thread->setObjectName(QStringLiteral("campaign"));
    // `finished` comes from here, on the owner's thread, once isRunning() is false.
    connect(m_thread, &QThread::finished, this, [this] {
        m_thread->deleteLater();
        m_thread = nullptr;
        CampaignResult r;
        {
            QMutexLocker lock(&m_mutex);
            r = m_result;
        }
        emit finished(r);
    });
    m_thread->start();
    return true;
}

bool CampaignRunner::cancelJob(const QString &jobId)
{
    QMutexLocker lock(&m_mutex);
    if (!m_campaign || !m_commands || jobId.isEmpty())
        return false;
    // Posted to the campaign (on its thread; its waits run an event loop). A
    // post to a campaign that is gone meanwhile is dropped with it. The job
    // tracker then reports the job CANCELLED through jobChanged.
    CommandRunner *commands = m_commands;
    QMetaObject::invokeMethod(
        m_campaign, [commands, jobId] { commands->run(QStringLiteral("scancel ") + shellQuote(jobId), 30000); },
        Qt::QueuedConnection);
    return true;
}

void CampaignRunner::cancel()
{
    QMutexLocker lock(&m_mutex);
    m_cancelEarly = true;
    if (m_campaign)
        m_campaign->requestCancel();
}

} // namespace fb::session

namespace fb::session {

void CampaignRunner::detach()
{
    QMutexLocker lock(&m_mutex);
    m_detachEarly = true;
    if (m_campaign)
        m_campaign->requestDetach();
}

} // namespace fb::session

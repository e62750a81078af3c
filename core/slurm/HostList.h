// HostList: Slurm's compressed host lists ("mel[2001-2003,2010],login01")
// expanded into host names and back. Hand-written because no Debian library
// exposes Slurm's hostlist functions without linking libslurm, which a
// laptop does not have.
#pragma once

#include <QString>
#include <QStringList>

namespace fb::slurm {

// Expands a host list; on malformed input returns an empty list and sets *error.
QStringList expandHostList(const QString &list, QString *error = nullptr);
// The inverse, for display: consecutive numeric suffixes with the same prefix
// and width are folded into ranges.
QString compressHostList(const QStringList &hosts);

} // namespace fb::slurm

#include "resp.h"

#include "../bounds.h"

#include <charconv>
#include <cstring>

namespace fbload::resp {

void appendCommand(std::string& out, std::initializer_list<std::string_view> args)
{
    char num[24];
    out.push_back('*');
    auto r = std::to_chars(num, num + sizeof num, args.size());
    out.append(num, r.ptr);
    out.append("\r\n", 2);
    for (std::string_view a : args) {
        out.push_back('$');
        r = std::to_chars(num, num + sizeof num, a.size());
        out.append(num, r.ptr);
        out.append("\r\n", 2);
        out.append(a.data(), a.size());
        out.append("\r\n", 2);
    }
}

Scanner::Scanner(size_t maxReply) : maxReply_(maxReply) {}

void Scanner::reset()
{
    off_ = lineScanned_ = bulkEnd_ = 0;
    depth_ = 0;
    topKind_ = ReplyKind::Incomplete;
    topTextOff_ = topTextLen_ = 0;
    topInteger_ = 0;
}

Reply Scanner::next(const char* data, size_t len)
{
    auto invalid = [this] {
        reset();
        Reply r;
        r.kind = ReplyKind::Invalid;
        return r;
    };
    for (;;) {
        bool elementDone = false;
        if (bulkEnd_) {
            if (len < bulkEnd_)
                return {};
            if (data[bulkEnd_ - 2] != '\r' || data[bulkEnd_ - 1] != '\n')
                return invalid();
            off_ = bulkEnd_;
            bulkEnd_ = 0;
            elementDone = true;
        } else {
            if (off_ >= len)
                return {};
            // The header line: type byte, text, "\r\n".
            const size_t from = lineScanned_ > off_ + 1 ? lineScanned_ : off_ + 1;
            const void* cr = from < len ? std::memchr(data + from, '\r', len - from) : nullptr;
            if (!cr) {
                lineScanned_ = len;
                return len - off_ > kMaxLineBytes ? invalid() : Reply{};
            }
            const size_t i = static_cast<size_t>(static_cast<const char*>(cr) - data);
            if (i + 1 >= len) {
                lineScanned_ = i;
                return {};
            }
            if (data[i + 1] != '\n' || i - off_ > kMaxLineBytes)
                return invalid();
            lineScanned_ = 0;
            const size_t e = i + 2;
            const bool top = off_ == 0;
            const char type = data[off_];
            const char* text = data + off_ + 1;
            const size_t textLen = i - off_ - 1;
            long long n = 0;
            if (type == ':' || type == '$' || type == '*') {
                auto c = std::from_chars(text, text + textLen, n);
                if (c.ec != std::errc() || c.ptr != text + textLen || n < -1)
                    return invalid();
            }
            ReplyKind kind = ReplyKind::Invalid;
            switch (type) {
            case '+':
            case '-':
                kind = type == '+' ? ReplyKind::Simple : ReplyKind::Error;
                if (top) {
                    topTextOff_ = off_ + 1;
                    topTextLen_ = textLen;
                }
                off_ = e;
                elementDone = true;
                break;
            case ':':
                kind = ReplyKind::Integer;
                topInteger_ = top ? n : topInteger_;
                off_ = e;
                elementDone = true;
                break;
            case '$':
                if (n == -1) {
                    kind = ReplyKind::Null;
                    off_ = e;
                    elementDone = true;
                    break;
                }
                // Refuse at once a payload that cannot fit (and the size_t overflow of e + n).
                if (static_cast<unsigned long long>(n) > maxReply_ || e + static_cast<size_t>(n) + 2 > maxReply_)
                    return invalid();
                kind = ReplyKind::Bulk;
                if (top) {
                    topTextOff_ = e;
                    topTextLen_ = static_cast<size_t>(n);
                }
                bulkEnd_ = e + static_cast<size_t>(n) + 2;
                break;
            case '*':
                kind = n == -1 ? ReplyKind::Null : ReplyKind::Array;
                off_ = e;
                if (n <= 0) {
                    elementDone = true;
                    break;
                }
                // Every element takes at least 3 bytes ("+\r\n").
                if (depth_ == kMaxDepth || static_cast<unsigned long long>(n) > maxReply_ / 3 ||
                    e + 3 * static_cast<size_t>(n) > maxReply_)
                    return invalid();
                open_[depth_++] = n;
                break;
            default:
                return invalid();
            }
            if (top)
                topKind_ = kind;
        }
        if (off_ > maxReply_)
            return invalid();
        if (!elementDone)
            continue;
        // Close the arrays this element completes.
        while (depth_ > 0 && --open_[depth_ - 1] == 0)
            --depth_;
        if (depth_ > 0)
            continue;
        Reply r;
        r.kind = topKind_;
        r.length = off_;
        if (topKind_ == ReplyKind::Simple || topKind_ == ReplyKind::Error || topKind_ == ReplyKind::Bulk)
            r.text = std::string_view(data + topTextOff_, topTextLen_);
        r.integer = topInteger_;
        reset();
        return r;
    }
}

Reply scan(const char* data, size_t len)
{
    Scanner s(kMaxBufferedBytes);
    return s.next(data, len);
}

}  // namespace fbload::resp

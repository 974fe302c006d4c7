#include "host/firm/nats_link.hpp"

#include <nats/nats.h>

#include <chrono>
#include <cstring>
#include <thread>

#include <fmt/format.h>

namespace pw::firm {

namespace {

std::string last_error(natsStatus s) {
  natsStatus st = s;
  const char* text = nats_GetLastError(&st);
  return text && *text ? std::string(text) : std::string(natsStatus_GetText(s));
}

bool is_wrong_revision(natsStatus s, const std::string& text) {
  return s == NATS_ERR && (text.find("wrong last sequence") != std::string::npos ||
                           text.find("10071") != std::string::npos);
}

}  // namespace

struct NatsLink::Watch {
  kvWatcher* watcher = nullptr;
  std::function<void(std::string_view)> on_value;
  std::atomic<bool> stop{false};
  std::thread thread;
};

NatsLink::NatsLink() = default;
NatsLink::~NatsLink() { close(); }

void NatsLink::on_disconnected(natsConnection*, void* self) {
  auto* link = static_cast<NatsLink*>(self);
  link->connected_.store(false, std::memory_order_release);
  link->disconnects_.fetch_add(1, std::memory_order_relaxed);
}

void NatsLink::on_reconnected(natsConnection*, void* self) {
  static_cast<NatsLink*>(self)->connected_.store(true, std::memory_order_release);
}

void NatsLink::on_closed(natsConnection*, void* self) {
  static_cast<NatsLink*>(self)->closed_.store(true, std::memory_order_release);
}

bool NatsLink::open(const NatsLinkOptions& options, std::string& error) {
  close();
  options_ = options;
  if (options.servers.empty()) {
    error = "no NATS server given";
    return false;
  }
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  std::vector<const char*> urls;
  for (const std::string& u : options.servers) urls.push_back(u.c_str());
  if (s == NATS_OK) s = natsOptions_SetServers(opts, urls.data(), (int)urls.size());
  if (s == NATS_OK) s = natsOptions_SetName(opts, options.name.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, options.timeout_ms);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);  // keep trying: losing NATS never stops trading
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 100);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts, &NatsLink::on_disconnected, this);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts, &NatsLink::on_reconnected, this);
  if (s == NATS_OK) s = natsOptions_SetClosedCB(opts, &NatsLink::on_closed, this);
  if (s == NATS_OK && !options.credentials_file.empty())
    s = natsOptions_SetUserCredentialsFromFiles(opts, options.credentials_file.c_str(), nullptr);
  closed_.store(false, std::memory_order_release);
  if (s == NATS_OK) s = natsConnection_Connect(&nc_, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) {
    error = fmt::format("cannot connect to NATS ({}): {}", options.servers.front(), last_error(s));
    nc_ = nullptr;
    return false;
  }
  connected_.store(true, std::memory_order_release);

  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = options.timeout_ms;
  s = natsConnection_JetStream(&js_, nc_, &jo);
  if (s != NATS_OK) {
    error = fmt::format("NATS JetStream: {}", last_error(s));
    close();
    return false;
  }

  s = js_KeyValue(&kv_, js_, options.bucket.c_str());
  if (s != NATS_OK) {
    kvConfig kc;
    kvConfig_Init(&kc);
    kc.Bucket = options.bucket.c_str();
    kc.History = 8;
    kc.Replicas = options.replicas;
    kc.StorageType = js_FileStorage;
    s = js_CreateKeyValue(&kv_, js_, &kc);
  }
  if (s != NATS_OK) {
    error = fmt::format("NATS key-value bucket {}: {}", options.bucket, last_error(s));
    close();
    return false;
  }

  const std::string subjects = options.fills_subject + ".>";
  const char* subj[] = {subjects.c_str()};
  jsStreamConfig sc;
  jsStreamConfig_Init(&sc);
  sc.Name = options.stream.c_str();
  sc.Subjects = subj;
  sc.SubjectsLen = 1;
  sc.Storage = js_FileStorage;
  sc.Replicas = options.replicas;
  sc.Duplicates = options.dedup_window_ms * 1000000LL;
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = (jsErrCode)0;
  s = js_AddStream(&si, js_, &sc, nullptr, &jerr);
  if (s != NATS_OK && jerr == JSStreamNameExistErr) s = NATS_OK;  // another host made it first
  if (si) jsStreamInfo_Destroy(si);
  if (s != NATS_OK) {
    error = fmt::format("NATS stream {}: {}", options.stream, last_error(s));
    close();
    return false;
  }
  return true;
}

void NatsLink::close() {
  for (auto& w : watches_) {
    w->stop.store(true);
    if (w->watcher) kvWatcher_Stop(w->watcher);
    if (w->thread.joinable()) w->thread.join();
    if (w->watcher) kvWatcher_Destroy(w->watcher);
  }
  watches_.clear();
  if (kv_) kvStore_Destroy(kv_);
  if (js_) jsCtx_Destroy(js_);
  if (nc_) {
    // The client calls the connection's callbacks from its own thread, after Close returns; the
    // closed callback comes last. Until it has run, this object must outlive the connection.
    natsConnection_Close(nc_);
    for (int i = 0; i < 5000 && !closed_.load(std::memory_order_acquire); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    natsConnection_Destroy(nc_);
  }
  kv_ = nullptr;
  js_ = nullptr;
  nc_ = nullptr;
  connected_.store(false, std::memory_order_release);
}

KvResult NatsLink::get(const std::string& key, std::string& value, uint64_t& revision, std::string& error) {
  if (!kv_) {
    error = "not connected to NATS";
    return KvResult::error;
  }
  // The bucket allows direct gets, which any replica may answer from behind the leader; a
  // compare-and-set needs the latest revision, so it reads through the stream leader.
  const std::string stream = "KV_" + options_.bucket;
  const std::string subject = "$KV." + options_.bucket + "." + key;
  natsMsg* m = nullptr;
  jsErrCode jerr = (jsErrCode)0;
  natsStatus s = js_GetLastMsg(&m, js_, stream.c_str(), subject.c_str(), nullptr, &jerr);
  if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr) {
    if (m) natsMsg_Destroy(m);
    return KvResult::not_found;
  }
  if (s != NATS_OK) {
    error = fmt::format("NATS get {}: {}", key, last_error(s));
    return KvResult::error;
  }
  const char* op = nullptr;
  const bool deleted = natsMsgHeader_Get(m, "KV-Operation", &op) == NATS_OK && op &&
                       (std::strcmp(op, "DEL") == 0 || std::strcmp(op, "PURGE") == 0);
  if (!deleted) {
    value.assign(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m));
    revision = natsMsg_GetSequence(m);
  }
  natsMsg_Destroy(m);
  return deleted ? KvResult::not_found : KvResult::ok;
}

KvResult NatsLink::put_if(const std::string& key, const std::string& value, uint64_t last_revision,
                          uint64_t& revision, std::string& error) {
  if (!kv_) {
    error = "not connected to NATS";
    return KvResult::error;
  }
  natsStatus s = last_revision == 0 ? kvStore_Create(&revision, kv_, key.c_str(), value.data(), (int)value.size())
                                    : kvStore_Update(&revision, kv_, key.c_str(), value.data(), (int)value.size(),
                                                     last_revision);
  if (s == NATS_OK) return KvResult::ok;
  std::string text = last_error(s);
  if (is_wrong_revision(s, text)) return KvResult::conflict;
  error = fmt::format("NATS update {}: {}", key, text);
  return KvResult::error;
}

KvResult NatsLink::put(const std::string& key, const std::string& value, std::string& error) {
  if (!kv_) {
    error = "not connected to NATS";
    return KvResult::error;
  }
  uint64_t rev = 0;
  natsStatus s = kvStore_Put(&rev, kv_, key.c_str(), value.data(), (int)value.size());
  if (s == NATS_OK) return KvResult::ok;
  error = fmt::format("NATS put {}: {}", key, last_error(s));
  return KvResult::error;
}

bool NatsLink::watch(const std::string& key, std::function<void(std::string_view)> on_value, std::string& error) {
  if (!kv_) {
    error = "not connected to NATS";
    return false;
  }
  auto w = std::make_unique<Watch>();
  w->on_value = std::move(on_value);
  natsStatus s = kvStore_Watch(&w->watcher, kv_, key.c_str(), nullptr);
  if (s != NATS_OK) {
    error = fmt::format("NATS watch {}: {}", key, last_error(s));
    return false;
  }
  Watch* raw = w.get();
  w->thread = std::thread([raw] {
    while (!raw->stop.load()) {
      kvEntry* e = nullptr;
      natsStatus st = kvWatcher_Next(&e, raw->watcher, 100);
      if (st == NATS_TIMEOUT) continue;
      if (st != NATS_OK) {
        if (raw->stop.load()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      if (!e) continue;  // "initial values delivered" marker
      if (kvEntry_Operation(e) == kvOp_Put)
        raw->on_value(std::string_view(static_cast<const char*>(kvEntry_Value(e)), (size_t)kvEntry_ValueLen(e)));
      kvEntry_Destroy(e);
    }
  });
  watches_.push_back(std::move(w));
  return true;
}

bool NatsLink::publish(const std::string& subject, const std::string& msg_id, std::string_view payload,
                       bool& duplicate, std::string& error) {
  duplicate = false;
  if (!js_) {
    error = "not connected to NATS";
    return false;
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MsgId = msg_id.c_str();
  po.MaxWait = options_.timeout_ms;
  jsPubAck* ack = nullptr;
  jsErrCode jerr = (jsErrCode)0;
  natsStatus s = js_Publish(&ack, js_, subject.c_str(), payload.data(), (int)payload.size(), &po, &jerr);
  if (s != NATS_OK) {
    error = fmt::format("NATS publish {}: {}", subject, last_error(s));
    return false;
  }
  duplicate = ack && ack->Duplicate;
  if (ack) jsPubAck_Destroy(ack);
  return true;
}

bool NatsLink::read_all(const std::function<void(std::string_view, std::string_view)>& on_message,
                        std::string& error) {
  if (!js_) {
    error = "not connected to NATS";
    return false;
  }
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = (jsErrCode)0;
  natsStatus s = js_GetStreamInfo(&si, js_, options_.stream.c_str(), nullptr, &jerr);
  if (s != NATS_OK) {
    error = fmt::format("NATS stream {}: {}", options_.stream, last_error(s));
    return false;
  }
  const uint64_t first = si->State.FirstSeq, last = si->State.LastSeq;
  const uint64_t count = si->State.Msgs;
  jsStreamInfo_Destroy(si);
  if (count == 0) return true;
  // Message by message from the stream leader: no consumer to place, so a read right after a
  // node loss waits only for the leader, never for a consumer's first delivery.
  for (uint64_t seq = first; seq <= last; ++seq) {
    natsMsg* m = nullptr;
    jerr = (jsErrCode)0;
    s = js_GetMsg(&m, js_, options_.stream.c_str(), seq, nullptr, &jerr);
    if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr) {  // removed (a limit of the stream)
      if (m) natsMsg_Destroy(m);
      continue;
    }
    if (s != NATS_OK) {
      error = fmt::format("NATS read {}: {} at message {} of {}", options_.stream, last_error(s), seq, last);
      return false;
    }
    on_message(std::string_view(natsMsg_GetSubject(m)),
               std::string_view(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m)));
    natsMsg_Destroy(m);
  }
  return true;
}

}  // namespace pw::firm

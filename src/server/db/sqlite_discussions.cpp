#include "server/db/sqlite_discussions.h"

#include "server/db/sqlite_conn.h"
#include "server/db/sqlite_web_accounts.h"

namespace mhub::server {
namespace {

constexpr const char* kColumns =
    "repo_row, num, title, status, is_pr, author, created_ms, target_branch, merge_commit, pr_head, "
    "(SELECT COUNT(*) FROM discussion_events e WHERE e.repo_row = d.repo_row AND e.num = d.num AND "
    "e.type = 'comment')";

Discussion ReadDiscussion(const sqlite::Stmt& st) {
  Discussion d;
  d.repo_row = st.Int(0);
  d.num = st.Int(1);
  d.title = st.Text(2);
  d.status = st.Text(3);
  d.is_pr = st.Int(4) != 0;
  d.author = st.Text(5);
  d.created_ms = st.Int(6);
  d.target_branch = st.Text(7);
  d.merge_commit = st.Text(8);
  d.pr_head = st.Text(9);
  d.num_comments = st.Int(10);
  return d;
}

DiscussionEvent ReadEvent(const sqlite::Stmt& st) {
  DiscussionEvent e;
  e.id = st.Text(0);
  e.type = st.Text(1);
  e.author = st.Text(2);
  e.created_ms = st.Int(3);
  e.data_json = st.Text(4);
  return e;
}

// The WHERE clause of a listing (after "repo_row = ?1"); parameters ?2 (author) when used.
std::string FilterSql(const DiscussionFilter& f) {
  std::string where;
  if (f.type == "discussion") where += " AND is_pr = 0";
  if (f.type == "pull_request") where += " AND is_pr = 1";
  if (f.status == "open") where += " AND status IN ('open', 'draft')";
  if (f.status == "closed") where += " AND status IN ('closed', 'merged')";
  if (f.status == "merged" || f.status == "draft") where += " AND status = '" + f.status + "'";
  if (!f.author.empty()) where += " AND author = ?2";
  return where;
}

class SqliteDiscussionStore final : public DiscussionStore {
 public:
  explicit SqliteDiscussionStore(std::string path) : pool_(std::move(path)) {}

  Status Init() {
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    return conn->Exec(
        "CREATE TABLE IF NOT EXISTS discussions (repo_row INTEGER NOT NULL, num INTEGER NOT NULL, "
        "title TEXT NOT NULL, status TEXT NOT NULL, is_pr INTEGER NOT NULL, author TEXT NOT NULL, "
        "created_ms INTEGER NOT NULL, target_branch TEXT NOT NULL, merge_commit TEXT NOT NULL DEFAULT '', "
        "pr_head TEXT NOT NULL DEFAULT '', PRIMARY KEY (repo_row, num));"
        "CREATE TABLE IF NOT EXISTS discussion_events (id TEXT PRIMARY KEY, repo_row INTEGER NOT NULL, "
        "num INTEGER NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, author TEXT NOT NULL, "
        "created_ms INTEGER NOT NULL, data TEXT NOT NULL);"
        "CREATE INDEX IF NOT EXISTS discussion_events_by_num ON discussion_events(repo_row, num, seq);");
  }

  Result<Discussion> Create(const Discussion& d) override {
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    sqlite::Transaction tx(&*conn);
    MHUB_RETURN_IF_ERROR(tx.Begin());
    Discussion out = d;
    {
      MHUB_ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT COALESCE(MAX(num), 0) + 1 FROM discussions "
                                                   "WHERE repo_row = ?1"));
      st.Bind(1, d.repo_row);
      MHUB_ASSIGN_OR_RETURN(bool row, st.Step());
      out.num = row ? st.Int(0) : 1;
    }
    MHUB_ASSIGN_OR_RETURN(auto ins,
                          conn->Prepare("INSERT INTO discussions(repo_row, num, title, status, is_pr, author, "
                                        "created_ms, target_branch, merge_commit, pr_head) "
                                        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
    MHUB_RETURN_IF_ERROR(ins.Bind(1, out.repo_row)
                             .Bind(2, out.num)
                             .Bind(3, out.title)
                             .Bind(4, out.status)
                             .Bind(5, static_cast<int64_t>(out.is_pr ? 1 : 0))
                             .Bind(6, out.author)
                             .Bind(7, out.created_ms)
                             .Bind(8, out.target_branch)
                             .Bind(9, out.merge_commit)
                             .Bind(10, out.pr_head)
                             .Run());
    MHUB_RETURN_IF_ERROR(tx.Commit());
    out.num_comments = 0;
    return out;
  }

  Status Delete(int64_t repo_row, int64_t num) override {
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    for (const char* sql : {"DELETE FROM discussion_events WHERE repo_row = ?1 AND num = ?2",
                            "DELETE FROM discussions WHERE repo_row = ?1 AND num = ?2"}) {
      MHUB_ASSIGN_OR_RETURN(auto st, conn->Prepare(sql));
      MHUB_RETURN_IF_ERROR(st.Bind(1, repo_row).Bind(2, num).Run());
    }
    return Status::OK();
  }

  Result<Discussion> Get(int64_t repo_row, int64_t num) override {
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(auto st, conn->Prepare(std::string("SELECT ") + kColumns +
                                                 " FROM discussions d WHERE repo_row = ?1 AND num = ?2"));
    st.Bind(1, repo_row).Bind(2, num);
    MHUB_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound("Discussion #" + std::to_string(num) + " not found");
    return ReadDiscussion(st);
  }

  Result<DiscussionPage> List(int64_t repo_row, const DiscussionFilter& f) override {
    DiscussionPage page;
    const std::string where = " FROM discussions d WHERE repo_row = ?1" + FilterSql(f);
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    {
      MHUB_ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT COUNT(*)" + where));
      st.Bind(1, repo_row);
      if (!f.author.empty()) st.Bind(2, f.author);
      MHUB_ASSIGN_OR_RETURN(bool row, st.Step());
      page.count = row ? st.Int(0) : 0;
    }
    {
      MHUB_ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT COUNT(*) FROM discussions WHERE repo_row = ?1 AND "
                                                   "status IN ('closed', 'merged')"));
      st.Bind(1, repo_row);
      MHUB_ASSIGN_OR_RETURN(bool row, st.Step());
      page.num_closed = row ? st.Int(0) : 0;
    }
    MHUB_ASSIGN_OR_RETURN(
        auto st, conn->Prepare(std::string("SELECT ") + kColumns + where + " ORDER BY num DESC LIMIT ?3 OFFSET ?4"));
    st.Bind(1, repo_row);
    if (!f.author.empty()) st.Bind(2, f.author);
    st.Bind(3, f.limit).Bind(4, f.offset);
    while (true) {
      MHUB_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      page.items.push_back(ReadDiscussion(st));
    }
    return page;
  }

  Status Update(const Discussion& d) override {
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(auto st, conn->Prepare("UPDATE discussions SET title = ?3, status = ?4, merge_commit = ?5, "
                                                 "pr_head = ?6 WHERE repo_row = ?1 AND num = ?2"));
    st.Bind(1, d.repo_row).Bind(2, d.num).Bind(3, d.title).Bind(4, d.status).Bind(5, d.merge_commit);
    MHUB_RETURN_IF_ERROR(st.Bind(6, d.pr_head).Run());
    if (sqlite3_changes(conn->db) == 0) return Status::NotFound("Discussion #" + std::to_string(d.num) + " not found");
    return Status::OK();
  }

  Result<std::vector<DiscussionEvent>> Events(int64_t repo_row, int64_t num) override {
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT id, type, author, created_ms, data FROM discussion_events "
                                                 "WHERE repo_row = ?1 AND num = ?2 ORDER BY seq"));
    st.Bind(1, repo_row).Bind(2, num);
    std::vector<DiscussionEvent> out;
    while (true) {
      MHUB_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out.push_back(ReadEvent(st));
    }
    return out;
  }

  Result<DiscussionEvent> GetEvent(int64_t repo_row, int64_t num, const std::string& id) override {
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT id, type, author, created_ms, data FROM discussion_events "
                                                 "WHERE repo_row = ?1 AND num = ?2 AND id = ?3"));
    st.Bind(1, repo_row).Bind(2, num).Bind(3, id);
    MHUB_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound("Comment " + id.substr(0, 40) + " not found");
    return ReadEvent(st);
  }

  Result<DiscussionEvent> AddEvent(int64_t repo_row, int64_t num, DiscussionEvent e) override {
    if (e.id.empty()) e.id = RandomHex(12);
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(
        auto st,
        conn->Prepare("INSERT INTO discussion_events(id, repo_row, num, seq, type, author, created_ms, data) "
                      "VALUES(?1, ?2, ?3, (SELECT COALESCE(MAX(seq), 0) + 1 FROM discussion_events), ?4, ?5, ?6, ?7)"));
    st.Bind(1, e.id).Bind(2, repo_row).Bind(3, num).Bind(4, e.type).Bind(5, e.author).Bind(6, e.created_ms);
    MHUB_RETURN_IF_ERROR(st.Bind(7, e.data_json).Run());
    return e;
  }

  Status SetEventData(int64_t repo_row, int64_t num, const std::string& id, const std::string& data_json) override {
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(auto st, conn->Prepare("UPDATE discussion_events SET data = ?4 WHERE repo_row = ?1 AND "
                                                 "num = ?2 AND id = ?3"));
    MHUB_RETURN_IF_ERROR(st.Bind(1, repo_row).Bind(2, num).Bind(3, id).Bind(4, data_json).Run());
    if (sqlite3_changes(conn->db) == 0) return Status::NotFound("Comment " + id.substr(0, 40) + " not found");
    return Status::OK();
  }

 private:
  sqlite::ConnPool pool_;
};

}  // namespace

Result<std::unique_ptr<DiscussionStore>> DiscussionStore::Open(const std::string& path) {
  auto store = std::make_unique<SqliteDiscussionStore>(path);
  MHUB_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<DiscussionStore>(std::move(store));
}

}  // namespace mhub::server

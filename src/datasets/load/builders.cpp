#include "datasets/load/builders.h"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace mhub::datasets::load {
namespace {

// The table is built in datasets' order: the base entries, then each folder builder's extensions
// (lower, then upper case) in the order of the `.update` calls, so a later builder wins an
// extension two share (".h5": hdf5 -> imagefolder; ".mp4": audiofolder -> videofolder).
struct ExtensionTable {
  std::vector<std::pair<std::string, BuilderChoice>> entries;  // insertion order, unique keys
  void Set(const std::string& ext, const BuilderChoice& choice) {
    for (auto& [e, c] : entries)
      if (e == ext) {
        c = choice;
        return;
      }
    entries.emplace_back(ext, choice);
  }
};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

const ExtensionTable& Table() {
  static const ExtensionTable table = [] {
    ExtensionTable t;
    t.Set(".csv", {"csv", {}});
    t.Set(".tsv", {"csv", {{"sep", "\t"}}});
    t.Set(".json", {"json", {}});
    t.Set(".jsonl", {"json", {}});
    t.Set(".ndjson", {"json", {}});
    t.Set(".parquet", {"parquet", {}});
    t.Set(".geoparquet", {"parquet", {}});
    t.Set(".gpq", {"parquet", {}});
    t.Set(".arrow", {"arrow", {}});
    t.Set(".txt", {"text", {}});
    t.Set(".conll", {"conll", {}});
    t.Set(".conllu", {"conll", {{"comment_prefix", "#"}}});
    t.Set(".tar", {"webdataset", {}});
    t.Set(".xml", {"xml", {}});
    t.Set(".hdf5", {"hdf5", {}});
    t.Set(".h5", {"hdf5", {}});
    t.Set(".eval", {"eval", {}});
    t.Set(".lance", {"lance", {}});
    t.Set(".tsfile", {"tsfile", {}});
    // packaged_modules/{imagefolder,audiofolder,videofolder,meshfolder,pdffolder,niftifolder}.
    const std::vector<std::pair<std::string, std::vector<std::string>>> folders = {
        {"imagefolder", {".blp",  ".bmp",  ".dib",  ".bufr", ".cur", ".pcx",  ".dcx", ".dds",  ".ps",  ".eps", ".fit",
                         ".fits", ".fli",  ".flc",  ".ftc",  ".ftu", ".gbr",  ".gif", ".grib", ".h5",  ".hdf", ".png",
                         ".apng", ".jp2",  ".j2k",  ".jpc",  ".jpf", ".jpx",  ".j2c", ".icns", ".ico", ".im",  ".iim",
                         ".tif",  ".tiff", ".jfif", ".jpe",  ".jpg", ".jpeg", ".mpg", ".mpeg", ".msp", ".pcd", ".pxr",
                         ".pbm",  ".pgm",  ".ppm",  ".pnm",  ".psd", ".bw",   ".rgb", ".rgba", ".sgi", ".ras", ".tga",
                         ".icb",  ".vda",  ".vst",  ".webp", ".wmf", ".emf",  ".xbm", ".xpm"}},
        {"audiofolder",
         {".aiff",  ".au",  ".avr", ".caf",  ".flac", ".htk", ".svx",   ".mat4", ".mat5", ".mpc2k", ".ogg",
          ".paf",   ".pvf", ".raw", ".rf64", ".sd2",  ".sds", ".ircam", ".voc",  ".w64",  ".wav",   ".nist",
          ".wavex", ".wve", ".xi",  ".mp3",  ".opus", ".3gp", ".3g2",   ".avi",  ".asf",  ".flv",   ".mp4",
          ".mov",   ".m4v", ".mkv", ".mpg",  ".webm", ".f4v", ".wmv",   ".wma",  ".ogm",  ".mxf",   ".nut"}},
        {"videofolder", {".mkv", ".mp4", ".avi", ".mpeg", ".mov"}},
        {"meshfolder", {".glb", ".ply", ".stl"}},
        {"pdffolder", {".pdf"}},
        {"niftifolder", {".nii"}},
    };
    for (const auto& [builder, exts] : folders) {
      for (const auto& e : exts) t.Set(e, {builder, {}});
      for (const auto& e : exts) t.Set(Upper(e), {builder, {}});
    }
    return t;
  }();
  return table;
}

const std::vector<std::string> kMetadataFileNames = {"latest_version_hint.json", "metadata.csv", "metadata.jsonl",
                                                     "metadata.parquet"};
const std::vector<std::string> kMetadataExtensions = {".idx", ".manifest", ".txn"};  // lance

std::string_view Basename(std::string_view p) {
  size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

bool IsFolderBuilder(const std::string& b) { return b.size() > 6 && b.substr(b.size() - 6) == "folder"; }

}  // namespace

BuilderChoice BuilderForExtension(const std::string& extension) {
  for (const auto& [e, c] : Table().entries)
    if (e == extension) return c;
  return {};
}

const std::vector<std::string>& AllowedExtensions() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v;
    for (const auto& [e, c] : Table().entries) v.push_back(e);
    v.push_back(".zip");
    for (const auto& e : kMetadataExtensions) v.push_back(e);
    return v;
  }();
  return all;
}

std::vector<std::string> BuilderExtensions(const std::string& builder) {
  std::vector<std::string> v;
  for (const auto& [e, c] : Table().entries)
    if (c.builder == builder) v.push_back(e);
  v.push_back(".zip");
  if (builder == "lance")
    for (const auto& e : kMetadataExtensions) v.push_back(e);
  return v;
}

std::vector<std::string> BuilderMetadataFileNames(const std::string& builder) {
  if (builder == "lance") return {"latest_version_hint.json"};
  if (IsFolderBuilder(builder) && builder != "meshfolder")
    return {"metadata.csv", "metadata.jsonl", "metadata.parquet"};
  return {};
}

BuilderChoice InferBuilder(const std::vector<std::string>& files) {
  // Counter over (extension, is_metadata_file), in first-seen order.
  std::vector<std::tuple<std::string, bool, int>> counts;
  for (const auto& f : files) {
    std::string_view base = Basename(f);
    bool is_metadata =
        std::find(kMetadataFileNames.begin(), kMetadataFileNames.end(), base) != kMetadataFileNames.end();
    size_t dot = base.find('.');
    while (dot != std::string_view::npos) {
      size_t next = base.find('.', dot + 1);
      std::string ext(base.substr(dot, next == std::string_view::npos ? std::string_view::npos : next - dot));
      for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto it = std::find_if(counts.begin(), counts.end(),
                             [&](const auto& t) { return std::get<0>(t) == ext && std::get<1>(t) == is_metadata; });
      if (it == counts.end())
        counts.emplace_back(ext, is_metadata, 1);
      else
        ++std::get<2>(*it);
      dot = next;
    }
  }
  // datasets sorts by (not is_metadata, count, ext == .parquet, .lance, .arrow, .jsonl, .json, .csv,
  // ext) in reverse: the first key that is larger wins.
  auto key = [](const std::tuple<std::string, bool, int>& t) {
    const std::string& e = std::get<0>(t);
    return std::make_tuple(!std::get<1>(t), std::get<2>(t), e == ".parquet", e == ".lance", e == ".arrow",
                           e == ".jsonl", e == ".json", e == ".csv", e);
  };
  std::stable_sort(counts.begin(), counts.end(), [&](const auto& a, const auto& b) { return key(a) > key(b); });
  for (const auto& t : counts) {
    BuilderChoice c = BuilderForExtension(std::get<0>(t));
    if (!c.builder.empty()) return c;
    // A .zip would need its contents inspected (infer_module_for_data_files_list_in_archives).
    if (std::get<0>(t) == ".zip") return {"zip", {}};
  }
  return {};
}

std::vector<std::string> FilterFiles(const std::vector<std::string>& files, const std::vector<std::string>& extensions,
                                     const std::vector<std::string>& file_names) {
  std::vector<std::string> out;
  for (const auto& f : files) {
    bool keep = false;
    for (const auto& ext : extensions) {
      // re.match(".*(ext)(\..+)?$"): ext at the end, or followed by '.' and at least one more char.
      for (size_t at = f.find(ext); at != std::string::npos && !keep; at = f.find(ext, at + 1)) {
        size_t end = at + ext.size();
        if (end == f.size() || (f[end] == '.' && end + 1 < f.size())) keep = true;
      }
      if (keep) break;
    }
    for (const auto& name : file_names) {
      std::string_view sv(f);
      if (sv.size() >= name.size() && sv.substr(sv.size() - name.size()) == name) keep = true;
    }
    if (keep) out.push_back(f);
  }
  return out;
}

}  // namespace mhub::datasets::load

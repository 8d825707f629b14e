// The data composer: reproducible, specs valid, the expert passes its own spec (checked here with a
// second method: IFEval's own evaluation for the flat items), splits disjoint, JSONL round trip.
// Seed tasks: the embedded world equals the committed file, a user's seed tasks compose every kind,
// malformed files name file:line and the field.
#include <raif/constraint/ifeval.hpp>
#include <raif/data/composer.hpp>
#include <raif/eval/ifeval.hpp>
#include <raif/judge/judge.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <span>
#include <sstream>

using namespace raif;

namespace {
const ComposedSet& composed() {
  static const auto s = Composer{.seed = 7}.generate(600);
  return s;
}
} // namespace

TEST_CASE("the composer is reproducible for a seed and varies across seeds", "[data]") {
  const auto a = Composer{.seed = 7}.generate(600), c = Composer{.seed = 8}.generate(600);
  const auto& b = composed();
  REQUIRE(a.items.size() == b.items.size());
  for (std::size_t i = 0; i < a.items.size(); ++i) REQUIRE(to_json(a.items[i]) == to_json(b.items[i]));
  CHECK(a.dropped == b.dropped);
  std::size_t same = 0;
  for (std::size_t i = 0; i < std::min(a.items.size(), c.items.size()); ++i)
    same += a.items[i].instruction == c.items[i].instruction;
  CHECK(same < a.items.size() / 4);
}

TEST_CASE("every composed item has a valid spec its expert answer passes", "[data]") {
  const auto& s = composed();
  CHECK(s.items.size() + s.dropped == 600);
  CHECK(s.items.size() > 480); // the expert seldom fails (langdetect on short texts is what fails it)
  std::map<std::string, int> kinds, depths, categories;
  for (const auto& it : s.items) {
    INFO(it.instruction << "\n" << it.expert_answer);
    REQUIRE_NOTHROW(compile(it.spec));
    REQUIRE(Composer::passes(it));
    ++kinds[it.composition];
    ++depths[std::to_string(it.depth)];
    for (const auto& id : it.constraint_ids) ++categories[id.substr(0, id.find(':'))];
    CHECK(it.shallow_think.find(it.instruction) != std::string::npos); // vanilla CoT restates the instruction
    CHECK(it.expert_think.find("The " + it.context["animal"].get<std::string>()) != std::string::npos);
  }
  for (const char* k : {"single", "and", "chain", "select", "nested"}) CHECK(kinds[k] > 10);
  for (const char* d : {"1", "2", "3"}) CHECK(depths[d] > 10);
  // the taxonomy: lexical, numerical, format, case, punctuation, start/end, structure
  for (const char* c : {"keywords", "length_constraints", "detectable_format", "change_case", "punctuation", "startend",
                        "detectable_content"})
    CHECK(categories[c] > 10);
}

namespace {
struct Always { // a judge with one answer
  bool yes;
  std::vector<JudgeDecision> judge(std::span<const JudgeQuery> q) const {
    return std::vector<JudgeDecision>(q.size(), {yes, yes ? 1.0 : -1.0});
  }
};
} // namespace

TEST_CASE("judge_fraction adds a judge leaf, which a judge decides; every other draw stays as it was", "[data]") {
  const auto& plain = composed();
  const auto judged = Composer{.seed = 7, .options = {.judge_fraction = 0.5}}.generate(600);
  REQUIRE(judged.items.size() == plain.items.size()); // the expert passes its own judge leaves: the same drops
  CHECK(judged.dropped == plain.dropped);
  const Judge yes{Always{true}}, no{Always{false}};
  std::size_t with = 0;
  std::map<std::string, int> kinds;
  for (std::size_t i = 0; i < plain.items.size(); ++i) {
    const Item &a = plain.items[i], &b = judged.items[i];
    INFO(b.instruction);
    if (b.constraint_ids == a.constraint_ids) { // no leaf drawn: the very same item
      CHECK(to_json(a) == to_json(b));
      continue;
    }
    ++with, ++kinds[a.composition];
    const std::string subject = a.context["animal"];
    const nlohmann::json leaf = {{"constraint", "judge:question"},
                                 {"kwargs", {{"question", "Does the response talk only about the " + subject + "?"}}}};
    auto spec = a.spec.contains("and") ? a.spec : nlohmann::json{{"and", {a.spec}}};
    spec["and"].push_back(leaf);
    CHECK(b.spec == spec);
    CHECK(b.instruction == a.instruction + " Write only about the " + subject + ".");
    CHECK(b.constraint_ids.back() == "judge:question");
    CHECK(b.composition == (a.composition == "single" ? "and" : a.composition));
    // The judge decides the leaf: YES keeps the expert at +2, NO takes it below; without a judge the
    // leaf is an error naming its question.
    const auto node = compile(b.spec);
    const auto response = b.expert_response();
    auto accuracy = [&](const Judge* j) {
      return AnswerReward<AnyNode>{.spec = node}(
                 Sample{.prompt = b.instruction, .response = response, .context = &b.context, .judge = j})
          .value;
    };
    CHECK(accuracy(&yes) == 2.0);
    CHECK(accuracy(&no) < 2.0);
    CHECK_THROWS_WITH(accuracy(nullptr), Catch::Contains("talk only about the " + subject));
  }
  CHECK(with > 240);
  CHECK(with < 360); // 0.5 of 600, within 5 standard deviations
  for (const char* k : {"single", "and", "chain", "select", "nested"}) CHECK(kinds[k] > 5);
}

TEST_CASE("flat items carry IFEval lists that IFEval's own evaluation accepts", "[data]") {
  const auto& reg = Registry::ifeval();
  std::size_t flat = 0;
  for (const auto& it : composed().items) {
    const auto j = to_json(it);
    if (!j.contains("instruction_id_list")) {
      CHECK((it.composition == "chain" || it.composition == "select" || it.composition == "nested"));
      continue;
    }
    ++flat;
    std::vector<AnyConstraint> cs;
    for (std::size_t i = 0; i < j["instruction_id_list"].size(); ++i)
      cs.push_back(reg.make(j["instruction_id_list"][i].get<std::string>(), j["kwargs"][i]));
    const auto v = evaluate_ifeval(cs, it.expert_answer, Context{.prompt = it.instruction});
    for (bool ok : v.strict) CHECK(ok);
  }
  CHECK(flat > 200);
}

TEST_CASE("with ifbench the composer also draws IFBench constraints; split by constraint is out of distribution",
          "[data][ifbench]") {
  const auto s = Composer{.seed = 3, .options = {.ifbench = true}}.generate(600);
  CHECK(s.items.size() > 450);
  std::map<std::string, int> uses;
  for (const auto& it : s.items) {
    INFO(it.instruction << "\n" << it.expert_answer);
    REQUIRE(Composer::passes(it));
    for (const auto& id : it.constraint_ids) ++uses[id];
  }
  INFO(nlohmann::json(uses).dump());
  for (const char* id : {"format:output_template", "format:thesis", "sentence:keyword"}) CHECK(uses[id] >= 5);
  // 17 kinds give 16 distinct ids (the two sentence counts share one); 0.2 x 16 = 3.2 -> 3 held out.
  REQUIRE(uses.size() == 16);
  const auto [train, held] = split(s.items, {.heldout_fraction = 0.2, .seed = 5, .by = "constraint"});
  CHECK(train.size() + held.size() == s.items.size());
  std::set<std::string> seen_in_training, unseen;
  for (const auto& it : train) seen_in_training.insert(it.constraint_ids.begin(), it.constraint_ids.end());
  for (const auto& it : held) {
    bool any_unseen = false;
    for (const auto& id : it.constraint_ids)
      if (!seen_in_training.count(id)) any_unseen = true, unseen.insert(id);
    CHECK(any_unseen); // every held-out item tests a constraint training never used
  }
  CHECK(unseen.size() == 3);
  CHECK(seen_in_training.size() == 13);
}

TEST_CASE("select items branch on the closed world's facts", "[data]") {
  for (const auto& it : composed().items) {
    if (it.composition != "select") continue;
    const bool bird = it.context["kind"] == "bird";
    CHECK(it.expert_think.find(bird ? "the bird branch" : "the other branch") != std::string::npos);
  }
}

TEST_CASE("splits are disjoint by seed task or composition; JSONL round-trips", "[data]") {
  const auto& items = composed().items;
  for (const char* by : {"seed_task", "composition", "both"}) {
    const auto [train, held] = split(items, {.heldout_fraction = 0.3, .seed = 1, .by = by});
    CHECK(train.size() + held.size() == items.size());
    CHECK(!held.empty());
    if (std::string(by) == "seed_task") { // 24 seed tasks (8 animals x 3 questions): round(0.3 x 24) = 7 held out
      std::set<std::string> held_tasks;
      for (const auto& it : held) held_tasks.insert(it.seed_task);
      CHECK(held_tasks.size() == 7);
    }
    auto comp = [](const Item& it) {
      std::string c = it.composition;
      for (const auto& id : it.constraint_ids) c += "|" + id;
      return c;
    };
    std::set<std::string> tasks, comps;
    for (const auto& it : train) tasks.insert(it.seed_task), comps.insert(comp(it));
    for (const auto& it : held) {
      const bool task_unseen = !tasks.count(it.seed_task), comp_unseen = !comps.count(comp(it));
      if (std::string(by) == "seed_task") CHECK(task_unseen);
      if (std::string(by) == "composition") CHECK(comp_unseen);
      if (std::string(by) == "both") CHECK((task_unseen || comp_unseen)); // held out for one of its keys
    }
  }
  CHECK_THROWS_WITH(split(items, {.heldout_fraction = 1.5}), Catch::Contains("heldout_fraction"));
  CHECK_THROWS_WITH(split(items, {.by = "animal"}), Catch::Contains("seed_task, composition, both or constraint"));
  const std::string path = "raif_test_items.jsonl";
  write_jsonl(path, items);
  const auto back = read_jsonl(path);
  REQUIRE(back.size() == items.size());
  for (std::size_t i = 0; i < items.size(); ++i) REQUIRE(to_json(back[i]) == to_json(items[i]));
  {
    std::ofstream o(path);
    o << to_json(items[0]).dump() << "\n{\"prompt\": \"x\", \"spec\": {\"and\": [{\"constraint\": \"nope:nope\"}]}}\n";
  }
  CHECK_THROWS_WITH(read_jsonl(path), Catch::Contains(path + ":2") && Catch::Contains("spec"));
  std::remove(path.c_str());
}

namespace {
// The repository root, from this file's path (the test binary runs from the build tree).
const std::filesystem::path repo = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
} // namespace

TEST_CASE("the bundled world reproduces the composer's items from before it became data", "[data]") {
  // Golden: the items of the first 24 candidates for seed 1, written by the composer whose animals
  // were hard-coded in C++ (commit 1323560), before the world moved to data/seed_tasks/animals.jsonl.
  std::ifstream golden(repo / "tests/data/composer_seed1_first24.jsonl");
  REQUIRE(golden);
  const auto set = Composer{.seed = 1}.generate(24);
  std::size_t i = 0;
  for (std::string line; std::getline(golden, line); ++i) {
    REQUIRE(i < set.items.size());
    CHECK(to_json(set.items[i]).dump() == line);
  }
  CHECK(i == set.items.size());
  CHECK(i + set.dropped == 24);
}

TEST_CASE("the embedded animals world equals data/seed_tasks/animals.jsonl", "[data]") {
  // Regenerate with tools/gen_seed_tasks_header.py after editing the data file.
  const auto path = repo / "data/seed_tasks/animals.jsonl";
  CHECK(slurp(path) == std::string(detail::animals_seed_tasks_jsonl));
  const auto file = load_seed_tasks(path.string());
  const auto& w = animals_seed_tasks();
  REQUIRE(file.tasks.size() == w.tasks.size());
  for (std::size_t i = 0; i < w.tasks.size(); ++i) CHECK(file.tasks[i].id == w.tasks[i].id);
  // 8 animals x 3 questions, drawn animal first (the composer's draw before the world was data)
  CHECK(w.tasks.size() == 24);
  REQUIRE(w.groups.size() == 8);
  for (const auto& g : w.groups) CHECK(g.size() == 3);
  const auto& fox = w.at("describe:fox");
  CHECK(fox.prompt == "Describe the fox.");
  CHECK(fox.sentences == 3);
  CHECK(fox.name == "The fox");
  CHECK(fox.title == "Fox facts");
  CHECK(fox.postscript == "P.S. I like the fox.");
  CHECK(fox.facts.at(2).no_comma == "{It} eats berries and seeds.");
  CHECK(w.at("home:owl").context == nlohmann::json{{"kind", "bird"}, {"animal", "owl"}});
  CHECK(w.at("food:hawk").select->equals == "bird");
  CHECK_THROWS_WITH(w.at("describe:cat"), Catch::Contains("describe:cat"));
}

TEST_CASE("a seed task's facts become the expert's answer under each constraint", "[data]") {
  const auto w = load_seed_tasks((repo / "tests/data/seed_tasks_user.jsonl").string());
  const auto& tea = w.at("tea");
  namespace dc = detail::composer;
  auto answer = [&](std::vector<Requirement> ls) { return dc::render(dc::draft(tea, tea.sentences, ls), tea); };
  // written out by hand from tests/data/seed_tasks_user.jsonl
  CHECK(answer({{LeafKind::no_comma}}) == "Green tea is made from leaves of the tea plant.");
  CHECK(answer({{LeafKind::sentences_ge, 2}, {LeafKind::no_comma}}) ==
        "Green tea is made from leaves of the tea plant. It comes from China Japan and Korea.");
  CHECK(answer({{LeafKind::sentences_ge, 3}, {LeafKind::forbid_it}}) ==
        "Green tea is made from leaves of the tea plant. Green tea comes from China, Japan and Korea. Green tea has "
        "less caffeine than coffee.");
  CHECK(answer({{LeafKind::title}}) == "<<Green tea facts>>\nGreen tea is made from leaves of the tea plant.");
  CHECK(answer({{LeafKind::postscript}}) ==
        "Green tea is made from leaves of the tea plant.\nP.S. I like the green tea.");
  CHECK(answer({{LeafKind::json}}) ==
        R"({"facts":["Green tea is made from leaves of the tea plant.","It comes from China, Japan and Korea.",)"
        R"("It has less caffeine than coffee.","It tastes grassy."],"subject":"green tea"})");
  CHECK(answer({{LeafKind::keyword, 0, "calm"}}) == "Green tea is made from leaves of the tea plant. It is calm.");
  CHECK(tea.group == "tea");
  CHECK(tea.summary == "Green tea is made from leaves of the tea plant. It comes from China, Japan and Korea. It has "
                       "less caffeine than coffee. It tastes grassy.");
  // the blank line between the violin and drum tasks is skipped; groups in order of first appearance
  REQUIRE(w.groups.size() == 3);
  CHECK(w.groups[0] == std::vector<std::size_t>{0, 1, 2});
  CHECK(w.groups[1] == std::vector<std::size_t>{3, 4});
  CHECK(w.groups[2] == std::vector<std::size_t>{5});
}

TEST_CASE("a user's seed tasks compose every kind their fields allow", "[data]") {
  const auto w = load_seed_tasks((repo / "tests/data/seed_tasks_user.jsonl").string());
  const auto set = Composer{.seed = 11, .world = w}.generate(900);
  CHECK(set.items.size() + set.dropped == 900);
  CHECK(set.dropped < 900 / 20);                         // with 4 facts a task, the expert seldom fails its own spec
  std::map<std::string, std::set<std::string>> kinds_of; // seed task -> compositions composed on it
  std::map<std::string, int> kinds;
  for (const auto& it : set.items) {
    INFO(it.instruction << "\n" << it.expert_answer);
    REQUIRE(Composer::passes(it));
    kinds_of[it.seed_task].insert(it.composition);
    ++kinds[it.composition];
    CHECK(it.instruction.starts_with(w.at(it.seed_task).prompt + " "));
    if (it.composition == "select" || it.composition == "nested") {
      // hand-derived from the file: violins are strings, drums percussion
      const bool violin = it.seed_task.ends_with(":violin");
      CHECK(it.context["family"] == (violin ? "strings" : "percussion"));
      CHECK(it.expert_think.find(violin ? "the strings branch" : "the other branch") != std::string::npos);
    }
  }
  for (const char* k : {"single", "and", "chain", "select", "nested"}) CHECK(kinds[k] > 5);
  // a task without 'chain' gets no chain or nested item, one without 'select' no select or nested
  const std::set<std::string> flat{"single", "and"};
  CHECK(kinds_of["tea"] == flat);
  CHECK(kinds_of["wood:violin"] == flat);
  CHECK(kinds_of["describe:drum"] == std::set<std::string>{"single", "and", "select"});
  CHECK(kinds_of["sound:drum"] == std::set<std::string>{"single", "and", "chain"});
  CHECK(kinds_of["describe:violin"] == std::set<std::string>{"single", "and", "chain", "select", "nested"});
  // chain items answer part 2 with the part's task: wood:violin's first fact for describe:violin
  for (const auto& it : set.items)
    if (it.seed_task == "describe:violin" && it.composition == "chain") {
      const auto part2 = it.expert_answer.substr(it.expert_answer.find("\n***\n") + 5);
      CHECK(detail::composer::lower(part2).find("spruce and maple") != std::string::npos);
    }
  // only chain/select over a world without 'chain' or 'select' fields cannot compose anything
  Composer only_select{.seed = 1, .world = load_seed_tasks((repo / "tests/data/seed_tasks_user.jsonl").string())};
  only_select.options.composition_weights = {0, 0, 0, 1, 0};
  CHECK_THROWS_WITH(only_select.generate(50), Catch::Contains("seed task '") && Catch::Contains("'select'"));
}

TEST_CASE("malformed seed-task files name the file, line and field", "[data]") {
  const auto path = (std::filesystem::temp_directory_path() / "raif_test_seed_tasks.jsonl").string();
  const std::string good =
      R"({"id": "a", "subject": "cat", "prompt": "Describe the cat.", "facts": ["The cat purrs."]})";
  auto load = [&](const std::string& second_line) {
    std::ofstream(path) << good << "\n" << second_line << "\n";
    return load_seed_tasks(path);
  };
  using Catch::Contains;
  CHECK(load(R"({"id": "b", "subject": "dog", "prompt": "Describe the dog.", "facts": ["The dog barks."]})")
            .tasks.size() == 2);
  CHECK_THROWS_WITH(load(R"({"id": "b", "subject": "dog",)"), Contains(path + ":2: not JSON"));
  CHECK_THROWS_WITH(load(R"({"id": "b", "subject": "dog", "prompt": "Describe the dog."})"),
                    Contains(path + ":2: missing field 'facts'"));
  CHECK_THROWS_WITH(load(R"({"id": "b", "subject": "dog", "prompt": 7, "facts": ["x."]})"),
                    Contains(path + ":2: field 'prompt' must be a string"));
  CHECK_THROWS_WITH(load(R"({"id": "b", "subject": "dog", "prompt": "p", "facts": ["x.", 3]})"),
                    Contains(path + ":2: field 'facts[1]' must be a string or an object"));
  CHECK_THROWS_WITH(load(R"({"id": "b", "subject": "dog", "prompt": "p", "facts": [{"txt": "x."}]})"),
                    Contains(path + ":2: missing field 'facts[0].text'"));
  CHECK_THROWS_WITH(load(R"({"id": "b", "subject": "dog", "prompt": "p", "facts": ["x."], "sentences": "2"})"),
                    Contains(path + ":2: field 'sentences' must be an integer >= 1"));
  CHECK_THROWS_WITH(load(R"({"id": "b", "subject": "dog", "prompt": "p", "fatcs": ["x."], "facts": ["x."]})"),
                    Contains(path + ":2: unknown field 'fatcs'"));
  CHECK_THROWS_WITH(load(R"({"id": "a", "subject": "dog", "prompt": "p", "facts": ["x."]})"),
                    Contains(path + ":2: field 'id': duplicate 'a' (first on line 1)"));
  CHECK_THROWS_WITH(load(R"({"id": "b", "subject": "dog", "prompt": "p", "facts": ["x."], "select": )"
                         R"({"field": "kind", "equals": "bird", "if": "it flies", "because": "It is a dog"}})"),
                    Contains(path + ":2: field 'select.field' 'kind' is not a key of 'context'"));
  CHECK_THROWS_WITH(
      load(R"({"id": "b", "subject": "dog", "prompt": "p", "facts": ["x."], "chain": )"
           R"({"parts": [{"label": "l", "ask": "say", "task": "a"}, {"label": "m", "ask": "say", "task": "z"}]}})"),
      Contains(path + ":2: field 'chain.parts[1].task': no seed task with id 'z'"));
  CHECK_THROWS_WITH(load(R"({"id": "b", "subject": "dog", "prompt": "p", "facts": ["x."], "chain": {"parts": []}})"),
                    Contains(path + ":2: field 'chain.parts' must be an array of exactly two parts"));
  CHECK_THROWS_WITH(load(R"(["not", "an", "object"])"), Contains(path + ":2: the line must be a JSON object"));
  std::ofstream(path) << "\n\n";
  CHECK_THROWS_WITH(load_seed_tasks(path), Contains(path + ": no seed tasks"));
  CHECK_THROWS_WITH(load_seed_tasks(path + ".absent"), Contains("cannot open " + path + ".absent"));
  std::remove(path.c_str());
}

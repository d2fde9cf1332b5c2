// Loads a 3MF file with lib3mf (Debian's lib3mf-dev 1.8) and prints what a consumer of the file
// sees, one fact per line, for ThreeMfWriterTest to compare with what was written.
#include <Model/COM/NMR_DLLInterfaces.h>
#include <cstdio>
#include <cstring>
#include <vector>

using namespace NMR;

static int fail(const char* what, LIB3MFRESULT r) {
    std::printf("error %s 0x%lx\n", what, (unsigned long) r);
    return 1;
}

// FNV-1a over raw bytes, so the test can tell the very same floats and indices came back.
static unsigned long long fnv(const void* data, size_t n, unsigned long long h) {
    const unsigned char* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: check3mf FILE.3mf\n");
        return 2;
    }
    PLib3MFModel* model = nullptr;
    LIB3MFRESULT r = lib3mf_createmodel(&model);
    if (r != 0) return fail("createmodel", r);
    PLib3MFModelReader* reader = nullptr;
    if ((r = lib3mf_model_queryreader(model, "3mf", &reader)) != 0) return fail("queryreader", r);
    lib3mf_reader_setstrictmodeactive(reader, true);
    if ((r = lib3mf_reader_readfromfileutf8(reader, argv[1])) != 0) return fail("read", r);
    DWORD warnings = 0;
    lib3mf_reader_getwarningcount(reader, &warnings);
    std::printf("warnings %u\n", (unsigned) warnings);
    for (DWORD i = 0; i < warnings; i++) {
        DWORD code = 0;
        char text[1024] = {0};
        ULONG needed = 0;
        lib3mf_reader_getwarningutf8(reader, i, &code, text, sizeof text, &needed);
        std::printf("warning 0x%x %s\n", (unsigned) code, text);
    }
    DWORD unit = 0;
    lib3mf_model_getunit(model, &unit);
    std::printf("unit %u\n", (unsigned) unit);  // 1 is millimetre (eModelUnit)

    PLib3MFModelResourceIterator* it = nullptr;
    if ((r = lib3mf_model_getobjects(model, &it)) != 0) return fail("getobjects", r);
    BOOL has = false;
    int objects = 0;
    while (lib3mf_resourceiterator_movenext(it, &has) == 0 && has) {
        PLib3MFModelResource* res = nullptr;
        lib3mf_resourceiterator_getcurrent(it, &res);
        BOOL isMesh = false;
        lib3mf_object_ismeshobject(res, &isMesh);
        if (!isMesh) continue;
        objects++;
        char name[4096] = {0};
        ULONG needed = 0;
        lib3mf_object_getnameutf8(res, name, sizeof name, &needed);
        DWORD nv = 0, nt = 0;
        lib3mf_meshobject_getvertexcount(res, &nv);
        lib3mf_meshobject_gettrianglecount(res, &nt);
        std::vector<MODELMESHVERTEX> v(nv);
        std::vector<MODELMESHTRIANGLE> t(nt);
        if (nv > 0) lib3mf_meshobject_getvertices(res, v.data(), nv, nullptr);
        if (nt > 0) lib3mf_meshobject_gettriangleindices(res, t.data(), nt, nullptr);
        BOOL manifold = false;
        lib3mf_meshobject_ismanifoldandoriented(res, &manifold);
        PLib3MFDefaultPropertyHandler* dph = nullptr;
        MODELMESHCOLOR_SRGB c = {0, 0, 0, 0};
        if (lib3mf_object_createdefaultpropertyhandler(res, &dph) == 0) {
            lib3mf_defaultpropertyhandler_getcolor(dph, 0, &c);
            lib3mf_release(dph);
        }
        PLib3MFPropertyHandler* ph = nullptr;
        MODELMESH_TRIANGLECOLOR_SRGB tc;
        std::memset(&tc, 0, sizeof tc);
        if (nt > 0 && lib3mf_meshobject_createpropertyhandler(res, &ph) == 0) {
            lib3mf_propertyhandler_getcolor(ph, 0, &tc);
            lib3mf_release(ph);
        }
        const unsigned long long seed = 0xcbf29ce484222325ULL;
        std::printf("object name=%s vertices=%u triangles=%u manifold=%d color=#%02X%02X%02X%02X "
                    "triangleColor=#%02X%02X%02X%02X vertexHash=%016llx triangleHash=%016llx\n",
                    name, (unsigned) nv, (unsigned) nt, manifold ? 1 : 0, c.m_Red, c.m_Green, c.m_Blue, c.m_Alpha,
                    tc.m_Colors[0].m_Red, tc.m_Colors[0].m_Green, tc.m_Colors[0].m_Blue, tc.m_Colors[0].m_Alpha,
                    fnv(v.data(), v.size() * sizeof(MODELMESHVERTEX), seed),
                    fnv(t.data(), t.size() * sizeof(MODELMESHTRIANGLE), seed));
        lib3mf_release(res);
    }
    std::printf("objects %d\n", objects);
    int items = 0;
    PLib3MFModelBuildItemIterator* bit = nullptr;
    if (lib3mf_model_getbuilditems(model, &bit) == 0) {
        while (lib3mf_builditemiterator_movenext(bit, &has) == 0 && has) items++;
        lib3mf_release(bit);
    }
    std::printf("buildItems %d\n", items);
    lib3mf_release(it);
    lib3mf_release(reader);
    lib3mf_release(model);
    return 0;
}

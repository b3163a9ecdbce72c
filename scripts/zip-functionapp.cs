// Zips a folder for Azure Functions deployment keeping unix permissions (the apphost's executable bit), which the
// `zip` tool would too but a machine with only the .NET SDK and Node does not have it.
// Usage: dotnet run scripts/zip-functionapp.cs -- <folder> <zip>
using System.IO.Compression;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: zip-functionapp.cs <folder> <zip>");
    return 2;
}

var folder = Path.GetFullPath(args[0]);
var zipPath = Path.GetFullPath(args[1]);
File.Delete(zipPath);
var count = 0;
using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
{
    foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
    {
        var entry = zip.CreateEntryFromFile(file, Path.GetRelativePath(folder, file).Replace('\\', '/'), CompressionLevel.Optimal);
        // The high 16 bits hold st_mode: regular file (0x8000) plus the permission bits.
        var mode = OperatingSystem.IsWindows() ? 0b110_100_100 : (int)File.GetUnixFileMode(file);
        entry.ExternalAttributes = (0x8000 | mode) << 16;
        count++;
    }
}

Console.WriteLine($"{zipPath}: {count} files");
return 0;

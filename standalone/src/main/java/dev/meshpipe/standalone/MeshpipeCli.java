package dev.meshpipe.standalone;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code meshpipe} command. */
@Command(name = "meshpipe", mixinStandardHelpOptions = true, versionProvider = MeshpipeCli.VersionProvider.class,
        description = "Turns 3D volumes into downloadable mesh packages.",
        subcommands = {DemoCommand.class, UpCommand.class, ServiceCommand.class, MeshCommand.class, ZipCommand.class,
                ClientCommands.Submit.class, ClientCommands.Status.class, ClientCommands.Download.class, ClientCommands.Cancel.class, JobsCommand.class})
public final class MeshpipeCli implements Runnable {

    /** The build's version, as manifest.json states it. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"meshpipe " + dev.meshpipe.common.Version.get()};
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return new CommandLine(new MeshpipeCli()).execute(args);
    }
}

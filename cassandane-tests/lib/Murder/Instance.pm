# SPDX-License-Identifier: BSD-3-Clause
# Murder::Instance - one node of a test murder: one `master` process with its
# own root directory (config, partitions, sasldb, logs, sockets), its own
# loopback address, generated imapd.conf and cyrus.conf, and free ports.
#
#   my $n = Murder::Instance->new(name => 'be1', role => 'backend');
#   $n->start;                      # waits for the pidfile and every listener
#   my $s = $n->connect('imap');    # IO::Socket::INET
#   $n->stop;                       # SIGTERM, wait, check nothing is left
#
# Roles give default services: backend (imap, pop3, lmtp), mupdate (the
# MUPDATE master), frontend (proxyd, pop3proxyd, lmtpproxyd, mupdate slave),
# none (only what the test passes).  A role whose programs are not built
# cannot start; `missing` lists them so a test can skip.
#
# Every instance started is stopped at exit (END block, SIGINT, SIGTERM, the
# test's alarm).  Stopping checks that no process of the instance is left
# (by pid and process group, never by name) and that no sanitizer report
# was written; either makes the test fail.  The directory of a test's
# instances is deleted when the test passed and kept (and its path and log
# tails printed) when it failed, or always with MURDER_KEEP=1.
package Murder::Instance;
use strict;
use warnings;
use Carp qw(croak);
use Cwd qw(abs_path);
use File::Basename qw(basename);
use File::Path qw(make_path remove_tree);
use IO::Socket::INET;
use IO::Socket::UNIX;
use POSIX qw(:sys_wait_h setpgid _exit);
use Time::HiRes qw(time sleep);
use Murder::Util qw(build_dir find_binary slurp spew proc_ppid
                    proc_pgid proc_cmdline proc_environ proc_starttime
                    proc_alive all_pids descendants running_as_root
                    cyrus_user inaccessible_dir);
use Murder::Ports qw(alloc_port release_port);
use Murder::LineClient;

my @LIVE;            # instances this process started and has not stopped
my %NAMES;           # names used, to keep roots distinct
my $TESTDIR;         # per-test directory holding every instance root
my $START_TIMEOUT = $ENV{MURDER_START_TIMEOUT} // 20;

# Default services per role: [name, program, args, prefork].
my %ROLE_SERVICES = (
    backend  => [['imap', 'imapd', '', 0], ['pop3', 'pop3d', '', 0],
                 ['lmtp', 'lmtpd', '', 0]],
    mupdate  => [['mupdate', 'mupdate', '-m', 1]],
    frontend => [['imap', 'proxyd', '', 0], ['pop3', 'pop3proxyd', '', 0],
                 ['lmtp', 'lmtpproxyd', '', 0], ['mupdate', 'mupdate', '', 1]],
    none     => [],
);

# test_dir - the directory all of this test's instances live under:
# $MURDER_TMPDIR (default /tmp/murder-tests) / <test name>-<pid>.
sub test_dir {
    return $TESTDIR if $TESTDIR;
    my $base = $ENV{MURDER_TMPDIR} // '/tmp/murder-tests';
    my $t = basename($0);
    $t =~ s/\.t$//;
    $t =~ s/[^\w.-]/_/g;
    $TESTDIR = "$base/$t-$$";
    remove_tree($TESTDIR) if -d $TESTDIR;
    make_path($TESTDIR, { mode => 0755 });
    chmod(0755, $base);
    return $TESTDIR;
}

# new - describe an instance; nothing is written or started yet.
#   name      node name (default: the role), used for its directory
#   role      backend | mupdate | frontend | none (default none)
#   address   loopback address to listen on (default 127.0.0.1)
#   services  [{ name, cmd, listen, port, prefork, maxchild, conf, ... }]
#             added to (or replacing, by name) the role's defaults.  cmd is
#             "program args": program is looked up in the build; `-C
#             imapd.conf` is added after it unless conf => 0.  listen is
#             omitted (TCP on address, free port), "unix" (a socket in the
#             sock/ directory) or literal.  Other keys are written as
#             key=value (babysit, maxforkrate, proto, ...).
#   start, events, daemons   entries for START, EVENTS, DAEMON, same shape
#             (events take period or at)
#   config    { key => value } for imapd.conf (undef deletes a default)
#   imapd_conf_text, cyrus_conf_text   raw text appended to the generated
#             file (imapd.conf) or replacing it (cyrus.conf)
#   root      fixed directory (default: under test_dir())
#   persist   1: not stopped at exit, directory never removed (tools/demo)
#   placeholders 1: a service whose program is not built runs testsvc
#   master_args  extra arguments for master
#   daemonize 1: run `master -d` (else -D and master is our child)
sub new {
    my ($class, %a) = @_;
    my $role = $a{role} // 'none';
    croak "unknown role $role" unless $ROLE_SERVICES{$role};
    my $self = bless {
        role => $role,
        name => $a{name} // $role,
        address => $a{address} // '127.0.0.1',
        build => $a{build} // build_dir(),
        config => $a{config} // {},
        imapd_conf_text => $a{imapd_conf_text} // '',
        cyrus_conf_text => $a{cyrus_conf_text},
        persist => $a{persist} // 0,
        placeholders => $a{placeholders} // 0,
        master_args => $a{master_args} // [],
        daemonize => $a{daemonize} // 0,
        env => $a{env} // {},
        services => [], start => [], events => [], daemons => [],
        missing => {}, placeholder => {},
    }, $class;
    my $name = $self->{name};
    $name .= ++$NAMES{$self->{name}} if $NAMES{$self->{name}}++;
    $self->{root} = $a{root} // (test_dir() . "/$name");

    for my $d (@{$ROLE_SERVICES{$role}}) {
        my ($sn, $prog, $args, $prefork) = @$d;
        push @{$self->{services}},
            { name => $sn, cmd => "$prog $args", prefork => $prefork };
    }
    for my $s (@{$a{services} // []}) {
        @{$self->{services}} = grep { $_->{name} ne $s->{name} } @{$self->{services}};
        push @{$self->{services}}, { %$s };
    }
    for my $sec (qw(start events daemons)) {
        push @{$self->{$sec}}, map { { %$_ } } @{$a{$sec} // []};
    }
    $self->_resolve_all;
    return $self;
}

# accessors
sub name { $_[0]{name} }
sub role { $_[0]{role} }
sub address { $_[0]{address} }
sub root { $_[0]{root} }
sub build { $_[0]{build} }
sub pid { $_[0]{pid} }
sub imapd_conf { "$_[0]{root}/conf/imapd.conf" }
sub cyrus_conf { "$_[0]{root}/conf/cyrus.conf" }
sub pidfile { "$_[0]{root}/run/master.pid" }
sub log_file { "$_[0]{root}/logs/murder.log" }
sub master_output { "$_[0]{root}/logs/master.out" }
sub sasldb { "$_[0]{root}/conf/sasldb2" }
sub servername { $_[0]->imapd_option('servername') }

# missing - programs this instance needs that are not built (sorted).
sub missing { my @m = sort keys %{$_[0]{missing}}; return wantarray ? @m : scalar(@m) }
# placeholders - { service => program } for services running testsvc in
# place of a program not built (placeholders => 1 only).
sub placeholders { return %{$_[0]{placeholder}} }
# skipped - { entry => program } START/EVENTS/DAEMON entries left out.
sub skipped { return %{$_[0]{skipped}} }

# _resolve - fill $e->{path} and $e->{cmdline} from $e->{cmd}.
sub _resolve {
    my ($self, $e) = @_;
    my ($prog, @args) = ref $e->{cmd} ? @{$e->{cmd}} : split(' ', $e->{cmd});
    my $path = find_binary($prog, $self->{build});
    if (!$path && $self->{placeholders} && $e->{listen_kind} eq 'none') {
        # demo: a START/EVENTS/DAEMON program not built yet is left out
        $self->{skipped}{$e->{name}} = $prog;
        $e->{skip} = 1;
        return;
    }
    if (!$path && $self->{placeholders}) {
        $path = find_binary('testsvc', $self->{build});
        $self->{placeholder}{$e->{name}} = $prog if $path;
        @args = ();
    }
    if (!$path) {
        $self->{missing}{$prog} = 1;
        $path = "$self->{build}/NOT-BUILT/$prog";
    }
    $e->{program} = $prog;
    $e->{path} = $path;
    my @words = ($path);
    push @words, '-C', $self->imapd_conf unless defined $e->{conf} && !$e->{conf};
    push @words, @args;
    $e->{cmdline} = join(' ', @words);
}

sub _resolve_all {
    my ($self) = @_;
    $self->{missing} = {};
    $self->{placeholder} = {};
    $self->{skipped} = {};
    $_->{listen_kind} = 'service' for @{$self->{services}};
    $_->{listen_kind} = 'none' for map { @{$self->{$_}} } qw(start events daemons);
    $self->_resolve($_) for map { @{$self->{$_}} } qw(services start events daemons);
}

# set_entries - replace the entries of section start, events, daemons or
# services (same shapes as for new).
sub set_entries {
    my ($self, $section, @entries) = @_;
    croak "unknown section $section" unless $section =~ /^(start|events|daemons|services)$/;
    $self->{$section} = [map { { %$_ } } @entries];
    $self->_resolve_all;
}

# service - the entry of service $name, or undef.
sub service {
    my ($self, $name) = @_;
    my ($s) = grep { $_->{name} eq $name } @{$self->{services}};
    return $s;
}

# port - the TCP port of service $name (allocating one if needed).
sub port {
    my ($self, $name) = @_;
    my $s = $self->service($name) or croak "$self->{name}: no service $name";
    $self->_alloc_listen($s);
    return $s->{port};
}

# _alloc_listen - decide where service $s listens.
sub _alloc_listen {
    my ($self, $s) = @_;
    return if $s->{listen_str};
    my $l = $s->{listen};
    if (!defined $l) {
        $s->{port} //= do { $s->{auto_port} = 1; alloc_port($self->{address}) };
        $s->{host} = $self->{address};
        $s->{listen_str} = "$self->{address}:$s->{port}";
    } elsif ($l eq 'unix') {
        $s->{unix} = "$self->{root}/sock/$s->{name}";
        $s->{listen_str} = $s->{unix};
    } elsif ($l =~ m{^/}) {
        $s->{unix} = $l;
        $s->{listen_str} = $l;
    } elsif ($l =~ /^(?:\[?([^\]]*)\]?:)?(\d+)$/) {
        $s->{host} = $1 // '0.0.0.0';
        $s->{port} = $2;
        $s->{listen_str} = $l;
    } else {
        $s->{listen_str} = $l;    # a service name: cannot be checked
    }
}

# add_service - add (or replace) a service; call write_cyrus_conf + hup.
sub add_service {
    my ($self, %s) = @_;
    $self->remove_service($s{name});
    my $e = { %s, listen_kind => 'service' };
    $self->_resolve($e);
    $self->_alloc_listen($e);
    push @{$self->{services}}, $e;
    return $e;
}

sub remove_service {
    my ($self, $name) = @_;
    @{$self->{services}} = grep { $_->{name} ne $name } @{$self->{services}};
}

# imapd_options - the imapd.conf key/value pairs, in file order.
sub imapd_options {
    my ($self) = @_;
    my $r = $self->{root};
    my @o = (
        servername => $self->{address},
        configdirectory => "$r/conf",
        defaultpartition => 'default',
        'partition-default' => "$r/spool",
        log_file => $self->log_file,
        cyrus_user => cyrus_user(),
        admins => 'admin',
        allowplaintext => 'yes',
        sasl_pwcheck_method => 'auxprop',
        sasl_auxprop_plugin => 'sasldb',
        sasl_sasldb_path => $self->sasldb,
        sasl_mech_list => 'PLAIN LOGIN',
        lmtpsocket => "$r/sock/lmtp",
        idlesocket => "$r/sock/idle",
        sievedir => "$r/sieve",
    );
    my %extra = %{$self->{config}};
    my @out;
    while (my ($k, $v) = splice(@o, 0, 2)) {
        if (exists $extra{$k}) {
            $v = delete $extra{$k};
            next unless defined $v;
        }
        push @out, [$k, $v];
    }
    push @out, map { [$_, $extra{$_}] } grep { defined $extra{$_} } sort keys %extra;
    return @out;
}

# imapd_option - the value this instance's imapd.conf gives $key.
sub imapd_option {
    my ($self, $key) = @_;
    my ($kv) = grep { $_->[0] eq $key } $self->imapd_options;
    return $kv ? $kv->[1] : undef;
}

sub imapd_conf_text {
    my ($self) = @_;
    my $t = "# generated by Murder::Instance for $self->{name} ($self->{role})\n";
    $t .= "$_->[0]: $_->[1]\n" for $self->imapd_options;
    $t .= $self->{imapd_conf_text};
    return $t;
}

# _entry_line - one cyrus.conf entry.
sub _entry_line {
    my ($self, $e, $section) = @_;
    my $l = sprintf('  %-12s cmd="%s"', $e->{name}, $e->{cmdline});
    if ($section eq 'SERVICES') {
        $self->_alloc_listen($e);
        $l .= qq{ listen="$e->{listen_str}"};
    }
    my %skip = map { $_ => 1 } qw(name cmd listen port conf host unix
        listen_str listen_kind auto_port path cmdline program skip);
    for my $k (sort grep { !$skip{$_} } keys %$e) {
        my $v = $e->{$k};
        $l .= $v =~ /^[\w.:\/-]+$/ ? " $k=$v" : qq{ $k="$v"};
    }
    return "$l\n";
}

sub cyrus_conf_text {
    my ($self) = @_;
    return $self->{cyrus_conf_text} if defined $self->{cyrus_conf_text};
    my $t = "# generated by Murder::Instance for $self->{name} ($self->{role})\n";
    for ([START => 'start'], [SERVICES => 'services'], [EVENTS => 'events'],
         [DAEMON => 'daemons']) {
        my ($sec, $key) = @$_;
        $t .= "$sec {\n";
        $t .= $self->_entry_line($_, $sec) for grep { !$_->{skip} } @{$self->{$key}};
        $t .= "}\n\n";
    }
    return $t;
}

# set_cyrus_conf_text - replace cyrus.conf with raw text (undef: generate).
sub set_cyrus_conf_text { $_[0]{cyrus_conf_text} = $_[1] }

sub write_cyrus_conf {
    my ($self) = @_;
    spew($self->cyrus_conf, $self->cyrus_conf_text, 0644);
}

sub write_imapd_conf {
    my ($self) = @_;
    spew($self->imapd_conf, $self->imapd_conf_text, 0644);
}

# _chown_tree - give the tree to the cyrus user so children can use it.
sub _chown_tree {
    my ($self) = @_;
    return unless running_as_root();
    my (undef, undef, $uid, $gid) = getpwnam(cyrus_user())
        or croak "user " . cyrus_user() . " does not exist: run tools/install-deps";
    system('chown', '-R', "$uid:$gid", $self->{root}) == 0
        or croak "chown -R $self->{root} failed";
}

# prepare - create the directory tree and write both config files.
sub prepare {
    my ($self) = @_;
    my $r = $self->{root};
    make_path(map { "$r/$_" } qw(conf spool logs run sock sieve tmp));
    chmod(0755, $r);
    $self->write_imapd_conf;
    $self->write_cyrus_conf;
    for my $f ($self->log_file, $self->master_output) {
        open(my $fh, '>>', $f) or croak "cannot create $f: $!";
        close($fh);
        chmod(0666, $f);
    }
    $self->_chown_tree;
    $self->{prepared} = 1;
}

# _sanitizer_env - ASAN/UBSAN options with reports logged under logs/.
sub _sanitizer_env {
    my ($self) = @_;
    my $logs = "$self->{root}/logs";
    my $a = $ENV{ASAN_OPTIONS} // 'halt_on_error=1:detect_leaks=1:abort_on_error=0';
    my $u = $ENV{UBSAN_OPTIONS} // 'halt_on_error=1:print_stacktrace=1';
    $a =~ s/(^|:)log_path=[^:]*//;
    $u =~ s/(^|:)log_path=[^:]*//;
    return (ASAN_OPTIONS => "$a:log_path=$logs/asan",
            UBSAN_OPTIONS => "$u:log_path=$logs/ubsan");
}

# _spawn - fork and exec master in its own process group.
sub _spawn {
    my ($self) = @_;
    my $master = find_binary('master', $self->{build})
        or croak "master not built in $self->{build} (set MURDER_BUILD)";
    for my $d ($self->{build}, $self->{root}) {
        my $bad = inaccessible_dir($d) or next;
        croak "$self->{name}: user " . cyrus_user() . " cannot enter $bad, so the "
            . "children cannot reach $d: use a checkout/MURDER_TMPDIR under "
            . "world-searchable directories (or chmod o+x $bad)";
    }
    unlink($self->pidfile);
    my @argv = ($master, '-C', $self->imapd_conf, '-M', $self->cyrus_conf,
                '-p', $self->pidfile, $self->{daemonize} ? '-d' : '-D',
                @{$self->{master_args}});
    $self->{argv} = \@argv;
    my %env = ($self->_sanitizer_env, %{$self->{env}});
    my $pid = fork();
    croak "fork: $!" unless defined $pid;
    if ($pid == 0) {
        setpgid(0, 0);
        @ENV{keys %env} = values %env;
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>>', $self->master_output);
        open(STDERR, '>&', \*STDOUT);
        exec(@argv) or _exit(127);
    }
    $self->{child} = $pid;
    $self->{pid} = $self->{daemonize} ? undef : $pid;
    $self->{exit_status} = undef;
    return $pid;
}

# _reap - if our master child exited, record its status; true if gone.
sub _reap {
    my ($self) = @_;
    return 1 unless $self->{child};
    my $r = waitpid($self->{child}, WNOHANG);
    if ($r == $self->{child}) {
        $self->{exit_status} = $?;
        delete $self->{child};
        return 1;
    }
    return 0;
}

# master_gone - true when the master process no longer runs.
sub master_gone {
    my ($self) = @_;
    if ($self->{child} && (!$self->{pid} || $self->{pid} == $self->{child})) {
        return $self->_reap;
    }
    $self->_reap if $self->{child};
    return 1 unless $self->{pid};
    return !proc_alive($self->{pid});
}

# is_listening - true if a TCP socket listens on $host:$port (from /proc).
sub is_listening {
    my ($host, $port) = @_;
    my $want = sprintf('%04X', $port);
    my @hex;
    if ($host eq '0.0.0.0' || $host eq '*') {
        @hex = ('00000000');
    } else {
        @hex = (uc(unpack('H*', pack('V', unpack('N', pack('C4', split /\./, $host))))),
                '00000000');
    }
    my %h = map { $_ => 1 } @hex;
    local $_;    # callers loop with $_ too: never clobber theirs
    for my $f ('/proc/net/tcp', '/proc/net/tcp6') {
        open(my $fh, '<', $f) or next;
        while (<$fh>) {
            my (undef, $local, undef, $st) = split;
            next unless defined $st && $st eq '0A';
            my ($a, $p) = split(/:/, $local);
            next unless $p eq $want;
            return 1 if $h{$a} || ($f =~ /6$/ && $a =~ /^0+$/);
        }
    }
    return 0;
}

# listeners_ready - every service with a known address accepts.
sub listeners_ready {
    my ($self) = @_;
    for my $s (@{$self->{services}}) {
        if ($s->{unix}) {
            return 0 unless -S $s->{unix};
        } elsif (defined $s->{port}) {
            return 0 unless is_listening($s->{host}, $s->{port});
        }
    }
    return 1;
}

# start - write config, start master, wait until ready.  Dies (with the log
# tail) when master exits or is not ready within MURDER_START_TIMEOUT (20 s).
# Retries with fresh ports when a harness-chosen port was taken meanwhile.
sub start {
    my ($self) = @_;
    croak "$self->{name}: already running" if $self->{pid} && !$self->master_gone;
    if (my @m = $self->missing) {
        croak "$self->{name}: cannot start role $self->{role}: not built: @m";
    }
    for my $attempt (1 .. 3) {
        $self->_alloc_listen($_) for @{$self->{services}};
        $self->prepare;
        release_port($_->{port}) for grep { defined $_->{port} } @{$self->{services}};
        my $log_off = -s $self->master_output;
        $self->_spawn;
        push @LIVE, $self unless grep { $_ == $self } @LIVE;
        my $r = $self->_wait_ready;
        return $self if $r eq 'ready';
        my $out = $self->_output_since($log_off);
        if ($r eq 'exited' && $out =~ /in use/i && grep { $_->{auto_port} } @{$self->{services}}) {
            for my $s (grep { $_->{auto_port} } @{$self->{services}}) {
                delete @$s{qw(port listen_str auto_port)};
            }
            next;
        }
        my $why = $r eq 'exited'
            ? "master exited (" . $self->exit_description . ")"
            : "not ready after ${START_TIMEOUT}s";
        $self->_kill_hard;
        croak "$self->{name}: start failed: $why\n" . $self->log_tail(30);
    }
    croak "$self->{name}: start failed: ports kept being taken\n" . $self->log_tail(30);
}

# start_expect_failure - start master and wait (up to $timeout s) for it to
# exit.  Returns (exit status as from waitpid, log text); the status is
# undef when master was still running then (it is stopped).
sub start_expect_failure {
    my ($self, $timeout) = @_;
    $timeout //= 10;
    $self->_alloc_listen($_) for @{$self->{services}};
    $self->prepare;
    release_port($_->{port}) for grep { defined $_->{port} } @{$self->{services}};
    $self->_spawn;
    push @LIVE, $self;
    my $gone = Murder::Util::wait_for(sub { $self->_reap }, $timeout);
    if (!$gone) {    # it started after all: the caller's test fails
        $self->{pid} //= $self->{child};
        $self->stop(quiet => 1);
        $self->{leftovers} = [];
        return (undef, $self->all_log_text);
    }
    @LIVE = grep { $_ != $self } @LIVE;
    # Children master forked before dying must not outlive it.
    my @left = $self->_own_processes;
    $self->{leftovers} = \@left;
    if (@left) {
        kill('KILL', @left);
        Murder::Util::wait_for(sub { !grep { proc_alive($_) } @left }, 5);
    }
    return ($self->{exit_status}, $self->all_log_text);
}

# launch - start master without waiting for it to be ready (tests of what
# master does before it is ready, e.g. while START entries run); stop()
# works as after start().
sub launch {
    my ($self) = @_;
    $self->_alloc_listen($_) for @{$self->{services}};
    $self->prepare;
    release_port($_->{port}) for grep { defined $_->{port} } @{$self->{services}};
    $self->_spawn;
    $self->{pid} //= $self->{child};
    push @LIVE, $self unless grep { $_ == $self } @LIVE;
    return $self;
}

# exit_status - master's wait status (when it was our child and exited).
sub exit_status { $_[0]{exit_status} }

sub exit_description {
    my ($self) = @_;
    my $st = $self->{exit_status};
    return 'still running or not our child' unless defined $st;
    return 'signal ' . ($st & 127) if $st & 127;
    return 'exit code ' . ($st >> 8);
}

# _wait_ready - 'ready', 'exited' or 'timeout'.
sub _wait_ready {
    my ($self) = @_;
    my $deadline = time() + $START_TIMEOUT;
    while (time() < $deadline) {
        if ($self->{daemonize} && !$self->{pid}) {
            my $p = slurp($self->pidfile);
            if ($p && $p =~ /^(\d+)/) { $self->{pid} = $1 }
            elsif ($self->_reap && ($self->{exit_status} // 0) != 0) { return 'exited' }
        }
        return 'exited' if $self->{pid} && $self->master_gone;
        if (-s $self->pidfile && $self->{pid} && $self->listeners_ready) {
            my $p = slurp($self->pidfile) // '';
            $p =~ s/\s+$//;
            $self->{pidfile_pid} = $p;
            return 'ready';
        }
        sleep(0.05);
    }
    return 'timeout';
}

# _own_processes - live processes of this instance: descendants of master
# and members of its process group (master first).
sub _own_processes {
    my ($self) = @_;
    my $m = $self->{pid} // $self->{child};
    return () unless $m;
    my %p;
    $p{$m} = 1 if proc_alive($m);
    $p{$_} = 1 for descendants($m);
    for my $q (all_pids()) {
        my $g = proc_pgid($q);
        $p{$q} = 1 if defined $g && $g == $m && proc_alive($q);
    }
    delete $p{$$};
    return sort { $a <=> $b } keys %p;
}

sub _kill_hard {
    my ($self) = @_;
    my @p = $self->_own_processes;
    kill('KILL', @p) if @p;
    Murder::Util::wait_for(sub { !grep { proc_alive($_) } @p }, 5);
    Murder::Util::wait_for(sub { $self->master_gone }, 5);
    $self->_reap;
    @LIVE = grep { $_ != $self } @LIVE;
}

# stop - SIGTERM master, wait up to $a{timeout} (15 s) for it to exit, then
# check that no process of the instance remains and no sanitizer report
# exists.  Returns a hash: exit_status, leftovers (pids), sanitizer (files),
# problems (text).  Unless quiet => 1, each problem is a failed test.
sub stop {
    my ($self, %a) = @_;
    my $timeout = $a{timeout} // 15;
    my %res = (leftovers => [], sanitizer => [], problems => []);
    if ($self->{pid} || $self->{child}) {
        my @before = map { [$_, proc_starttime($_)] } $self->_own_processes;
        my $m = $self->{pid} // $self->{child};
        kill('TERM', $m);
        if (!Murder::Util::wait_for(sub { $self->master_gone }, $timeout)) {
            push @{$res{problems}}, "master $m did not exit within ${timeout}s of SIGTERM";
        }
        # Children may take a moment to notice; then anything left is a leak.
        Murder::Util::wait_for(sub { !grep { _same_proc(@$_) } @before }, 5);
        my %left = map { $_->[0] => 1 } grep { _same_proc(@$_) } @before;
        $left{$_} = 1 for $self->_own_processes;
        my @left = sort { $a <=> $b } keys %left;
        if (@left) {
            push @{$res{problems}}, "processes left after stop: " . join(', ',
                map { "$_ (" . join(' ', proc_cmdline($_)) . ")" } @left);
            kill('KILL', @left);
            Murder::Util::wait_for(sub { !grep { proc_alive($_) } @left }, 5);
        }
        $res{leftovers} = \@left;
        Murder::Util::wait_for(sub { $self->_reap }, 5) if $self->{child};
        $res{exit_status} = $self->{exit_status};
        $self->{last_pid} = $m;
        delete $self->{pid};
    }
    @LIVE = grep { $_ != $self } @LIVE;
    $res{sanitizer} = [$self->sanitizer_reports];
    push @{$res{problems}}, "sanitizer report: $_\n" . (slurp($_) // '')
        for @{$res{sanitizer}};
    if (!$a{quiet} && @{$res{problems}}) {
        require Test::More;
        Test::More::fail("$self->{name}: clean stop");
        Test::More::diag($_) for @{$res{problems}};
    }
    return \%res;
}

sub _same_proc {
    my ($pid, $st) = @_;
    return proc_alive($pid) && (proc_starttime($pid) // '') eq ($st // '');
}

# sanitizer_reports - sanitizer report files of this instance, and master's
# own output if it holds a report.
sub sanitizer_reports {
    my ($self) = @_;
    my @f = grep { -s $_ && !(/\.(\d+)$/ && $self->{allowed_crash}{$1}) }
        glob("$self->{root}/logs/asan.* $self->{root}/logs/ubsan.*");
    my $out = slurp($self->master_output) // '';
    push @f, $self->master_output
        if $out =~ /ERROR: (?:Address|Leak|Thread|Memory)Sanitizer|runtime error:/;
    return @f;
}

# allow_crash - a test makes these pids crash on purpose: their sanitizer
# reports do not fail the test.
sub allow_crash {
    my ($self, @pids) = @_;
    $self->{allowed_crash}{$_} = 1 for @pids;
}

# crash - kill -9 master and every child at once, as a power cut would;
# start brings the instance back (same ports).
sub crash {
    my ($self) = @_;
    $self->_kill_hard;
    $self->{last_pid} = $self->{pid} // $self->{child};
    delete $self->{pid};
}

# restart - stop then start again (same ports).
sub restart {
    my ($self) = @_;
    $self->stop;
    return $self->start;
}

# hup - rewrite cyrus.conf and send SIGHUP to master.
sub hup {
    my ($self) = @_;
    croak "$self->{name}: not running" unless $self->{pid};
    $self->write_cyrus_conf;
    $self->_chown_tree;
    release_port($_->{port}) for grep { defined $_->{port} } @{$self->{services}};
    kill('HUP', $self->{pid});
}

# signal - send $sig to master.
sub signal {
    my ($self, $sig) = @_;
    croak "$self->{name}: not running" unless $self->{pid};
    return kill($sig, $self->{pid});
}

# child_pids - live children of master serving $service (from the
# CYRUS_SERVICE environment variable, or the argv if unreadable).
sub child_pids {
    my ($self, $service) = @_;
    my $m = $self->{pid} or return ();
    my $s = $self->service($service);
    my @out;
    for my $p (all_pids()) {
        next unless (proc_ppid($p) // -1) == $m && proc_alive($p);
        my $env = proc_environ($p);
        if (defined $env->{CYRUS_SERVICE}) {
            push @out, $p if $env->{CYRUS_SERVICE} eq $service;
        } elsif ($s) {
            my @argv = proc_cmdline($p);
            push @out, $p if @argv && $argv[0] eq $s->{path};
        }
    }
    @out = sort { $a <=> $b } @out;
    return wantarray ? @out : scalar(@out);
}

# all_children - every live direct child of master.
sub all_children {
    my ($self) = @_;
    my $m = $self->{pid} or return ();
    my @out = sort { $a <=> $b }
        grep { (proc_ppid($_) // -1) == $m && proc_alive($_) } all_pids();
    return wantarray ? @out : scalar(@out);
}

# connect - a connected socket to service $name (TCP or unix).
sub connect {
    my ($self, $name, %a) = @_;
    my $s = $self->service($name) or croak "$self->{name}: no service $name";
    $self->_alloc_listen($s);
    my $sock;
    if ($s->{unix}) {
        $sock = IO::Socket::UNIX->new(Peer => $s->{unix}, Type => IO::Socket::UNIX::SOCK_STREAM());
    } else {
        my $host = $s->{host} eq '0.0.0.0' ? $self->{address} : $s->{host};
        $sock = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $s->{port},
                                      Proto => 'tcp', Timeout => $a{timeout} // 5);
    }
    croak "$self->{name}: cannot connect to $name ($s->{listen_str}): $!" unless $sock || $a{may_fail};
    return $sock;
}

# line_client - a Murder::LineClient on service $name, banner read.
sub line_client {
    my ($self, $name, %a) = @_;
    return Murder::LineClient->new($self->connect($name, %a), %a);
}

# imaptalk - a Mail::IMAPTalk to service $name (default imap), logged in
# when username is given.
sub imaptalk {
    my ($self, $name, %a) = @_;
    require Mail::IMAPTalk;
    $name //= 'imap';
    my $s = $self->service($name) or croak "$self->{name}: no service $name";
    $self->_alloc_listen($s);
    my $t = Mail::IMAPTalk->new(
        Server => $self->{address}, Port => $s->{port}, Uid => 1,
        ($a{username} ? (Username => $a{username}, Password => $a{password}) : ()),
        Timeout => $a{timeout} // 10)
        or croak "$self->{name}: IMAPTalk to $name failed: $@";
    return $t;
}

# create_user - add $user with $password to this instance's sasldb (realm =
# servername), readable by the cyrus user.
sub create_user {
    my ($self, $user, $password) = @_;
    $self->prepare unless $self->{prepared};
    my $realm = $self->servername;
    my $bin = '/usr/sbin/saslpasswd2';
    -x $bin or croak "saslpasswd2 missing: run tools/install-deps (sasl2-bin)";
    open(my $p, '|-', $bin, '-p', '-c', '-f', $self->sasldb, '-u', $realm, $user)
        or croak "saslpasswd2: $!";
    print $p $password;
    close($p) or croak "saslpasswd2 failed for $user (status $?)";
    if (running_as_root()) {
        my (undef, undef, $uid, $gid) = getpwnam(cyrus_user());
        chown($uid, $gid, $self->sasldb);
    }
    chmod(0640, $self->sasldb);
}

# all_log_text - log_file plus master's own output.
sub all_log_text {
    my ($self) = @_;
    return (slurp($self->log_file) // '') . (slurp($self->master_output) // '');
}

sub _output_since {
    my ($self, $off) = @_;
    my $t = slurp($self->master_output) // '';
    return substr($t, $off // 0) . (slurp($self->log_file) // '');
}

# log_lines - lines of the logs matching $re (all lines without one).
sub log_lines {
    my ($self, $re) = @_;
    my @l = split(/\n/, $self->all_log_text);
    return $re ? grep { $_ =~ $re } @l : @l;
}

# wait_for_log - wait up to $timeout s for $n (1) lines matching $re.
sub wait_for_log {
    my ($self, $re, $timeout, $n) = @_;
    $n //= 1;
    return Murder::Util::wait_for(sub { my @l = $self->log_lines($re); @l >= $n ? \@l : undef },
                    $timeout // 10);
}

# log_tail - the last $n lines of each log, labelled, for diagnostics.
sub log_tail {
    my ($self, $n) = @_;
    $n //= 30;
    my $t = '';
    for my $f ($self->log_file, $self->master_output,
               glob("$self->{root}/logs/asan.* $self->{root}/logs/ubsan.*")) {
        my @l = split(/\n/, slurp($f) // '');
        next unless @l;
        @l = @l[-$n .. -1] if @l > $n;
        $t .= "--- $f (last " . scalar(@l) . " lines)\n" . join("\n", @l) . "\n";
    }
    return $t || "(no log output in $self->{root}/logs)\n";
}

sub wait_for { my $self = shift; return Murder::Util::wait_for(@_) }

# _teardown_all - stop every live instance; decide whether to keep logs.
sub _teardown_all {
    my ($failed) = @_;
    my @problems;
    my @live = reverse @LIVE;    # stop() edits @LIVE
    for my $i (@live) {
        next if $i->{persist};
        my $r = eval { $i->stop(quiet => 1) };
        if (!$r) {
            push @problems, "$i->{name}: stop died: $@";
            eval { $i->_kill_hard };
            next;
        }
        push @problems, map { "$i->{name}: $_" } @{$r->{problems}};
    }
    return @problems;
}

END {
    my $status = $?;
    local $SIG{ALRM} = sub {
        print STDERR "# Murder::Instance: teardown timed out\n";
        _exit(1);
    };
    alarm(60);
    my @problems = eval { _teardown_all() };
    push @problems, "teardown died: $@" if $@;
    my $failed = $status != 0 || @problems;
    if (!$failed && $INC{'Test/Builder.pm'}) {
        $failed = !Test::Builder->new->is_passing;
    }
    print STDERR "# $_\n" for map { split /\n/ } @problems;
    if ($TESTDIR && -d $TESTDIR) {
        if ($failed || $ENV{MURDER_KEEP}) {
            print STDERR "# logs kept in $TESTDIR\n";
            if ($failed && !$ENV{MURDER_QUIET_LOGS}) {
                for my $f (sort glob("$TESTDIR/*/logs/*")) {
                    next unless -f $f && -s _;
                    my @l = split(/\n/, slurp($f) // '');
                    @l = @l[-40 .. -1] if @l > 40;
                    print STDERR "# --- $f\n", map { "#   $_\n" } @l;
                }
            }
        } else {
            remove_tree($TESTDIR);
        }
    }
    alarm(0);
    $status = 1 if @problems && !$status;
    $? = $status;
}

1;

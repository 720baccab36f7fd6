# SPDX-License-Identifier: BSD-3-Clause
# CyrusNode - one node of Debian's Cyrus 3.6 (packages cyrus-imapd,
# cyrus-murder, cyrus-clients) for benchmarks and interop runs: a private
# root with a generated imapd.conf/cyrus.conf and sasldb, started by
# Cyrus's own master (/usr/sbin/cyrmaster) in its own process group on a
# loopback address, stopped by that group.  Used by bench/run-mupdate and
# bench/interop-cyrus-mupdate.  Needs root (Cyrus drops to `cyrus`).
#
#   my $c = CyrusNode->new(root => $dir, address => '127.0.0.60',
#       services => { mupdate => '/usr/lib/cyrus/bin/mupdate -m' },
#       config => { admins => 'admin' });
#   $c->add_user('admin', 'admin-pw');  $c->start;  $c->port('mupdate');
#   my ($out, $st) = $c->tool('ctl_mboxlist', '-d');  $c->stop;
#
# A service may be { cmd => "program args", prefork => N, maxchild => M }.
# etc_services => { imap => PORT, lmtp => PORT }: master and its children
# see a private /etc/services (mount namespace, unshare) where those
# names have those ports: a Cyrus frontend reaches a backend on the port
# its /etc/services gives "imap"/"lmtp" (there is no "lmtp" entry here),
# so a murder runs on loopback without touching the system's file.
package CyrusNode;
use strict;
use warnings;
use Carp qw(croak);
use Digest::MD5 ();
use File::Path qw(make_path remove_tree);
use IO::Socket::INET;
use POSIX qw(setpgid _exit :sys_wait_h);
use Time::HiRes qw(time sleep);
use Murder::Instance;
use Murder::Ports qw(alloc_port release_port);

our $BIN = '/usr/lib/cyrus/bin';
our $MASTER = '/usr/sbin/cyrmaster';

# missing - why Cyrus cannot run here ('' when it can).
sub missing {
    return 'not root (Cyrus drops to the cyrus user)' if $> != 0;
    for my $f ($MASTER, "$BIN/mupdate", "$BIN/ctl_mboxlist", '/usr/sbin/saslpasswd2') {
        return "$f missing (apt-get install cyrus-murder cyrus-imapd sasl2-bin)" unless -x $f;
    }
    return 'no cyrus user' unless getpwnam('cyrus');
    return '';
}

# new - root, address; services { name => "program args" or { cmd,
# prefork, maxchild } } (TCP on address, a free port), config { key =>
# value } added to imapd.conf, etc_services (see above).
sub new {
    my ($class, %a) = @_;
    my $self = bless { root => $a{root} // croak('root'),
                       address => $a{address} // '127.0.0.1',
                       services => $a{services} // {}, config => $a{config} // {},
                       etc_services => $a{etc_services}, ports => {} }, $class;
    $self->{ports}{$_} = alloc_port($self->{address}) for keys %{$self->{services}};
    remove_tree($self->{root});
    make_path(map { "$self->{root}/$_" } qw(spool run logs sock),
              map { "conf/$_" } qw(socket proc lock log db user quota));
    return $self;
}

sub root { $_[0]{root} }
sub address { $_[0]{address} }
sub port { $_[0]{ports}{$_[1]} // croak "no service $_[1]" }
sub imapd_conf { "$_[0]{root}/conf/imapd.conf" }
# connect - a TCP connection to service $svc (as Murder::Instance's).
sub connect {
    my ($self, $svc) = @_;
    return IO::Socket::INET->new(PeerAddr => $self->{address},
                                 PeerPort => $self->port($svc), Timeout => 10);
}
sub sasldb { "$_[0]{root}/conf/sasldb2" }

# add_user - a sasldb user in the realm of servername (the address).
sub add_user {
    my ($self, $user, $pw) = @_;
    open(my $p, '|-', '/usr/sbin/saslpasswd2', '-p', '-c', '-f', $self->sasldb,
         '-u', $self->{address}, $user) or croak "saslpasswd2: $!";
    print $p $pw;
    close($p) or croak "saslpasswd2 $user failed";
}

# write_conf - imapd.conf and cyrus.conf; the tree goes to cyrus.
sub write_conf {
    my ($self) = @_;
    my $r = $self->{root};
    my %c = (configdirectory => "$r/conf", 'partition-default' => "$r/spool",
             defaultpartition => 'default', servername => $self->{address},
             admins => 'admin', allowplaintext => 'yes',
             sasl_pwcheck_method => 'auxprop', sasl_auxprop_plugin => 'sasldb',
             sasl_sasldb_path => $self->sasldb, sasl_mech_list => 'PLAIN',
             lmtpsocket => "$r/sock/lmtp", idlesocket => "$r/sock/idle",
             notifysocket => "$r/sock/notify", %{$self->{config}});
    Murder::Util::spew($self->imapd_conf,
        join('', map { "$_: $c{$_}\n" } sort keys %c), 0644);
    my $svc = join('', map {
        my $s = $self->{services}{$_};
        $s = { cmd => $s } unless ref $s;
        my ($prog, @args) = split(' ', $s->{cmd});
        qq{  $_ cmd="$BIN/$prog -C $r/conf/imapd.conf @args" }
            . qq{listen="$self->{address}:$self->{ports}{$_}" prefork=} . ($s->{prefork} // 1)
            . ($s->{maxchild} ? " maxchild=$s->{maxchild}" : '') . "\n" }
        sort keys %{$self->{services}});
    Murder::Util::spew("$r/conf/cyrus.conf",
        qq{START {\n  recover cmd="$BIN/ctl_cyrusdb -C $r/conf/imapd.conf -r"\n}\n}
        . "SERVICES {\n$svc}\nEVENTS {\n}\n", 0644);
    system('chown', '-R', 'cyrus:' . (getgrgid((getpwnam('cyrus'))[3]))[0], $r) == 0
        or croak "chown $r";
    chmod(0640, $self->sasldb) if -e $self->sasldb;
}

# _etc_services - write the private services file; the command prefix
# that runs a program with it bind-mounted over /etc/services.
sub _etc_services {
    my ($self) = @_;
    my $want = $self->{etc_services} or return ();
    my $f = "$self->{root}/etc-services";
    my $re = join('|', map { quotemeta } keys %$want);
    open(my $in, '<', '/etc/services') or croak "/etc/services: $!";
    # drop every line naming one of them (name or alias, e.g. imap2's "imap")
    my $text = join('', grep { !/^[^#]*(?:^|\s)(?:$re)(?:\s|$)/ } <$in>);
    $text .= join('', map { "$_\t$want->{$_}/tcp\n" } sort keys %$want);
    Murder::Util::spew($f, $text, 0644);
    return ('unshare', '--mount', '--propagation', 'private', 'sh', '-c',
            'mount --bind "$0" /etc/services && exec "$@"', $f);
}

# start - cyrmaster in its own process group; waits for every listener.
sub start {
    my ($self) = @_;
    $self->write_conf;
    release_port($_) for values %{$self->{ports}};
    my @pre = $self->_etc_services;
    my $r = $self->{root};
    my $pid = fork() // croak "fork: $!";
    if (!$pid) {
        setpgid(0, 0);
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>>', "$r/logs/master.out");
        open(STDERR, '>&', \*STDOUT);
        exec(@pre, $MASTER, '-C', $self->imapd_conf, '-M', "$r/conf/cyrus.conf",
             '-p', "$r/run/master.pid", '-D') or _exit(127);
    }
    $self->{pid} = $pid;
    my $ok = Murder::Util::wait_for(sub {
        for my $p (values %{$self->{ports}}) {
            return 0 unless Murder::Instance::is_listening($self->{address}, $p);
        }
        1 }, 20, 0.1);
    croak "Cyrus master did not start: " . (Murder::Util::slurp("$r/logs/master.out") // '')
        unless $ok;
    return $self;
}

# stop - SIGTERM to the group, then SIGKILL what is left.
sub stop {
    my ($self) = @_;
    my $pid = delete $self->{pid} or return;
    kill('TERM', -$pid);
    my $t = time() + 10;
    while (time() < $t && waitpid($pid, WNOHANG) == 0) { sleep(0.1) }
    kill('KILL', -$pid);
    waitpid($pid, 0);
}

sub DESTROY { $_[0]->stop }

# tool - run Cyrus program $name -C imapd.conf @args as cyrus; (output,
# status).  Last argument { stdin => file, nosync => 1 }: standard input;
# under eatmydata (fsync a no-op) when installed.
sub tool {
    my ($self, $name, @args) = @_;
    my %o = ref $args[-1] eq 'HASH' ? %{pop @args} : ();
    my @pre = $o{nosync} && -x '/usr/bin/eatmydata' ? ('/usr/bin/eatmydata') : ();
    my $cmd = join(' ', map { quotemeta } 'runuser', '-u', 'cyrus', '--', @pre, "$BIN/$name",
                   '-C', $self->imapd_conf, @args);
    $cmd .= ' <' . quotemeta($o{stdin}) if $o{stdin};
    my $out = `$cmd 2>&1`;
    return ($out, $?);
}

# dump_line - one entry of Cyrus 3.6's ctl_mboxlist -d/-u JSON format: a
# remote (frontend/master) entry at server!partition with an ACL given as
# "id<TAB>rights<TAB>...".
sub dump_line {
    my ($name, $server, $partition, $acl) = @_;
    my %acl = split(/\t/, $acl);
    my $a = join(', ', map { qq{"$_": "$acl{$_}"} } sort keys %acl);
    # Cyrus refuses entries without a unique id: a stable one per name
    my $u = Digest::MD5::md5_hex($name);
    $u =~ s/^(.{8})(.{4})(.{4})(.{4})(.{12})$/$1-$2-$3-$4-$5/;
    return qq|"$name": {"name": "$name", "uniqueid": "$u", "mtime": "0", "uidvalidity": "0", |
         . qq|"createdmodseq": "0", "foldermodseq": "0", "mbtype": "er", |
         . qq|"partition": "$partition", "server": "$server", "acl": {$a}, |
         . qq|"name_history": []}|;
}

# load - ctl_mboxlist -u of the entries $next->() returns ([name,
# server, partition, acl], undef at the end), in one load.  Cyrus 3.6
# commits every entry on its own (about 150 a second here), so the load
# runs under eatmydata when it is installed (apt-get install eatmydata).
sub load {
    my ($self, $next) = @_;
    my $f = "$self->{root}/load.json";
    open(my $fh, '>', $f) or croak "$f: $!";
    print $fh "{\n";
    my $sep = '';
    while (my $e = $next->()) {
        print $fh $sep, dump_line(@$e);
        $sep = ",\n";
    }
    print $fh "\n}\n";
    close($fh);
    chmod(0644, $f);
    my ($out, $st) = $self->tool('ctl_mboxlist', '-u', { stdin => $f, nosync => 1 });
    # Cyrus exits 0 after a parse error: its message is the only sign
    croak "Cyrus ctl_mboxlist -u failed: $out" if $st || $out =~ /\S/;
    unlink($f);
}

1;
